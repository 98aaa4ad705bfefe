// Runs a page of this project in headless Chromium with WebGPU, served by a
// Vite dev server on localhost (WebGPU needs a secure context). Used by the
// benchmarks and the headless runner.
import { createServer } from 'vite';
import { chromium } from 'playwright';
import { findChromium, MISSING_CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

/**
 * Opens `path` (e.g. '/bench/train.html?steps=20'), forwards its console to
 * `onLog`, and resolves with the value the page assigns to
 * `window.__result` (or rejects with `window.__error`).
 */
export async function runPage(path, { onLog = (t) => console.log(t), timeoutMs = 30 * 60_000 } = {}) {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(MISSING_CHROMIUM);
  const server = await createServer({ server: { port: 0, host: '127.0.0.1' }, logLevel: 'error', clearScreen: false });
  await server.listen();
  const { port } = server.httpServer.address();
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => onLog(m.text()));
    page.on('pageerror', (e) => onLog(`page error: ${e.message}`));
    await page.goto(`http://localhost:${port}${path}`);
    await page.waitForFunction(() => '__result' in window || '__error' in window, null, { timeout: timeoutMs, polling: 500 });
    const err = await page.evaluate(() => window.__error);
    if (err) throw new Error(String(err));
    return await page.evaluate(() => window.__result);
  } finally {
    await browser.close();
    await server.close();
  }
}
