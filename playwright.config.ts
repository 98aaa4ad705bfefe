import { defineConfig } from '@playwright/test';
// @ts-expect-error plain .mjs helper shared with the Node scripts
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// End-to-end tests of the BUILT app (so its Content-Security-Policy applies)
// in headless Chromium with WebGPU, served by `vite preview` on localhost
// (WebGPU needs a secure context).
//
// The preview server takes a free port (--port 0): a fixed port that another
// process holds would fail the whole stage. Playwright reads the port from the
// server's "Local:" line into E2E_PORT (the named group, upper-cased), which
// the workers inherit, and every test's baseURL is built from it.
const OUT = 'test-results/e2e-dist';
const port = process.env.E2E_PORT;

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  workers: 1,
  // No retries: a test that passes only on a second try is a bug to fix, not to hide.
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results/playwright',
  use: {
    baseURL: port ? `http://127.0.0.1:${port}` : undefined,
    launchOptions: { executablePath: findChromium() ?? undefined, args: CHROMIUM_ARGS },
  },
  webServer: {
    command:
      // The corpus first (built when missing, as npm start and npm run build do), so `npx playwright test`
      // works right after `npm ci`.
      `node scripts/build-corpus.mjs && npx vite build --outDir ${OUT} --emptyOutDir && ` +
      `npx vite preview --outDir ${OUT} --port 0 --strictPort --host 127.0.0.1`,
    wait: { stdout: /Local:\s+http:\/\/127\.0\.0\.1:(?<e2e_port>\d+)/ },
    reuseExistingServer: false,
    // The build alone takes about a minute on two busy cores.
    timeout: 240_000,
  },
});
