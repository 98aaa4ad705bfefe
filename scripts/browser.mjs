// Runs pages of this project in headless Chromium with WebGPU, served by a
// Vite dev server on localhost (WebGPU needs a secure context). Used by the
// benchmarks, the headless runner and the report. The dev servers neither
// watch files nor push updates: a run takes minutes in a tree others may be
// editing, and a hot reload would restart the page (and the run).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, findChromium, MISSING_CHROMIUM } from './chromium.mjs';

const firstLine = (e) =>
  String(e instanceof Error ? e.message : e)
    .replace(/^(page|locator)\.\w+: /, '')
    .split('\n')[0];

/** Headless Chromium with WebGPU; `options` go to Playwright's launch. */
export async function launchChromium(options = {}) {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(MISSING_CHROMIUM);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, ...options });
}

const BUILD_CORPUS = fileURLToPath(new URL('./build-corpus.mjs', import.meta.url));
const CORPUS = fileURLToPath(new URL('../public/data/brown.json', import.meta.url));

/**
 * Builds the corpus the pages fetch when it is missing, so every command of the README works right after `npm ci`
 * (only `npm start` and `npm test` built it before). Its messages go to stderr: stdout may be a piped link or table.
 */
export function ensureCorpus() {
  if (existsSync(CORPUS)) return;
  const r = spawnSync(process.execPath, [BUILD_CORPUS], { stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0) throw new Error('the Brown corpus could not be built (see the message above)');
}

/** A dev server on a free localhost port; `config` is merged into Vite's. */
export function createPageServer(config = {}) {
  ensureCorpus();
  return createServer({
    logLevel: 'error',
    clearScreen: false,
    ...config,
    server: { port: 0, host: '127.0.0.1', hmr: false, watch: null, ...config.server },
  });
}

/**
 * The server for runner/run.html (the headless runner and the report): it
 * also loads the experiment modules through Vite's SSR loader.
 */
export function createRunnerServer(root) {
  return createPageServer({
    root,
    appType: 'mpa',
    // Its own dependency cache, so it never races a dev server or test run on node_modules/.vite.
    cacheDir: 'node_modules/.vite-runner',
    optimizeDeps: { entries: ['runner/run.html'] },
  });
}

/**
 * Opens runner/run.html on `server` in `browser` and waits for its
 * `window.__runner`. Console errors and warnings (all of it with `verbose`)
 * and page errors go to `onLine`.
 */
export async function openRunnerPage(browser, server, { onLine, verbose = false }) {
  await server.listen();
  const { port } = server.httpServer.address();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 2 });
  let pageError = null;
  page.on('console', (m) => {
    const t = m.type();
    // The favicon request is the only expected 404.
    if (/favicon\.ico/.test(m.location()?.url ?? '')) return;
    if (verbose || t === 'error' || t === 'warning')
      onLine(`page ${t}: ${m.text()}${m.location()?.url ? ` (${m.location().url})` : ''}`);
  });
  page.on('pageerror', (e) => {
    pageError ??= e;
    onLine(`page error: ${firstLine(e)}`);
  });
  await page.goto(`http://127.0.0.1:${port}/runner/run.html`);
  // The first load compiles the page and may optimise dependencies: minutes on a slow machine.
  const deadline = Date.now() + 300_000;
  while (!(await page.evaluate(() => window.__runner !== undefined).catch(() => false))) {
    if (pageError) throw new Error(`the runner page did not load: ${firstLine(pageError)}`);
    if (Date.now() > deadline) throw new Error('the runner page did not load within 5 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
  return page;
}

/**
 * Opens `path` (e.g. '/bench/train.html?steps=20'), forwards its console to
 * `onLog`, and resolves with the value the page assigns to
 * `window.__result` (or rejects with `window.__error`). `vite` is merged into
 * the dev server's config; `onPage` may add listeners before the page loads.
 */
export async function runPage(
  path,
  { onLog = (t) => console.log(t), timeoutMs = 30 * 60_000, polling = 500, vite = {}, onPage = () => {} } = {},
) {
  const server = await createPageServer(vite);
  let browser = null;
  try {
    await server.listen();
    const { port } = server.httpServer.address();
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => onLog(m.text()));
    page.on('pageerror', (e) => onLog(`page error: ${e.message}`));
    onPage(page);
    await page.goto(`http://localhost:${port}${path}`);
    await page.waitForFunction(() => '__result' in window || '__error' in window, null, {
      timeout: timeoutMs,
      polling,
    });
    const err = await page.evaluate(() => window.__error);
    if (err) throw new Error(String(err));
    return await page.evaluate(() => window.__result);
  } finally {
    await browser?.close();
    await server.close();
  }
}
