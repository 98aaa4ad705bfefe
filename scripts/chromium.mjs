// Finds a Chromium that can run WebGPU, for the GPU tests and the headless runner.
// Order: $CHROMIUM_PATH, then the usual install paths. Never downloads one.
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export const MISSING_CHROMIUM =
  'No Chromium found: set CHROMIUM_PATH to a Chrome/Chromium binary, or install one (Debian: sudo apt-get install ' +
  '-y chromium).';

// Flags that make headless Chromium expose WebGPU (SwiftShader when there is no GPU)
// and stop it reaching for the network.
// CHROMIUM_FLAGS (space-separated) adds flags, e.g. a GPU node's (docs/cluster/README.md); a later flag wins.
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  ...(process.env.CHROMIUM_FLAGS ?? '').split(/\s+/).filter(Boolean),
];
