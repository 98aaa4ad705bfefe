import { defineConfig } from '@playwright/test';
// @ts-expect-error plain .mjs helper shared with the Node scripts
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// End-to-end tests of the BUILT app (so its Content-Security-Policy applies)
// in headless Chromium with WebGPU, served by `vite preview` on localhost
// (WebGPU needs a secure context).
const PORT = 4317;
const OUT = 'test-results/e2e-dist';

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/playwright',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: findChromium() ?? undefined, args: CHROMIUM_ARGS },
  },
  webServer: {
    command: `npx vite build --outDir ${OUT} --emptyOutDir && npx vite preview --outDir ${OUT} --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
