// Issue 18: offline after the first visit. The build is served by a plain
// static server under /lab/; after one visit the service worker (app/sw/)
// holds the page, its scripts and the corpus, so with the network gone
// (context.setOffline, and the server answering nothing) the lab reloads,
// trains and opens a link with results. A new deployment shows on the next
// online visit, and no page is ever a mix of two deployments' files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { legend, linesIn, TINY, watch } from './lab_page';
import { BUILD, type LabServer, serveBuild } from './serve';

const ONE_RUN = `${TINY}&x=Offline&run=label:softmax,mech:softmax`;

/** Waits until the service worker has cached this build and controls the page. */
const controlled = (page: Page) =>
  page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });

const cacheNames = (page: Page) =>
  page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('attention-lab-')).sort());

/** No network: the browser is offline, and the server drops whatever still reaches it. */
async function network(ctx: BrowserContext, lab: LabServer, on: boolean) {
  await ctx.setOffline(!on);
  lab.down = !on;
}

let lab: LabServer;
test.beforeEach(async () => {
  lab = await serveBuild('/lab/');
});
test.afterEach(async () => {
  await lab?.close();
});
test.use({ viewport: { width: 1400, height: 1000 } });

test('after one visit the lab reloads offline, trains a run, and opens a link with results', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(`${lab.url}?${ONE_RUN}`);
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await controlled(page);
  const bytes = [...lab.sent.values()].reduce((a, b) => a + b, 0);
  console.log(`first visit: ${lab.requests.length} requests, ${(bytes / 2 ** 20).toFixed(2)} MiB (uncompressed)`);

  await network(ctx, lab, false);
  const seen = lab.requests.length;
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Attention Lab', level: 1 })).toBeVisible();
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
  await page.getByRole('button', { name: 'Run experiment' }).click();
  await expect(page.locator('[data-status="done"]')).toHaveCount(1, { timeout: 120_000 });
  await expect(linesIn(page)).toHaveCount(1);

  await page.getByRole('button', { name: 'Copy link with results' }).click();
  await expect(page.getByLabel('Share link')).toHaveValue(/res=/, { timeout: 30_000 });
  const link = await page.getByLabel('Share link').inputValue();
  const other = await ctx.newPage();
  const otherProblems = watch(other);
  await other.goto(link);
  await expect(legend(other).getByText('softmax (shared)')).toBeVisible({ timeout: 30_000 });
  // The link's run, and this browser's own finished run (kept in its storage).
  await expect(linesIn(other)).toHaveCount(2);
  await ctx.close();
  // While the network was down, nothing the lab needed reached for the server: what did were the browser's
  // own checks for a newer sw.js (Playwright's offline mode does not cover them), which the server dropped.
  expect(lab.requests.slice(seen).filter((p) => p !== '/lab/sw.js')).toEqual([]);
  expect(problems).toEqual([]);
  expect(otherProblems).toEqual([]);
});

test('a new deployment shows on the next online visit; offline, a page is always one whole version', async ({
  browser,
}) => {
  const ctx = await browser.newContext();
  let page = await ctx.newPage();
  await page.goto(lab.url);
  await controlled(page);
  const v1 = /const __SW_VERSION__ = "(\w+)"/.exec(readFileSync(join(BUILD, 'sw.js'), 'utf8'))![1];
  const v2 = v1 === '000000000000' ? '111111111111' : '000000000000';
  expect(await cacheNames(page)).toEqual([`attention-lab-${v1}`]);

  // A new deployment: a changed page and a new sw.js (same scripts and corpus).
  const NEW_TITLE = 'Attention Lab (new deployment)';
  lab.rewrite = (file, body) =>
    file === 'sw.js'
      ? Buffer.from(body.toString().replace(`"${v1}"`, `"${v2}"`))
      : file === 'index.html'
        ? Buffer.from(body.toString().replace('<title>Attention Lab</title>', `<title>${NEW_TITLE}</title>`))
        : body;
  await page.reload();
  await expect(page).toHaveTitle(NEW_TITLE);
  // The new version is cached beside the old one, and waits for the old one's pages to close.
  const waiting = () => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting));
  await expect.poll(waiting, { timeout: 60_000 }).toBe(true);
  expect(await cacheNames(page)).toEqual([`attention-lab-${v1}`, `attention-lab-${v2}`].sort());

  // Offline meanwhile, the open lab is the old version, whole: its own page and files, from its own cache.
  await network(ctx, lab, false);
  await page.reload();
  await expect(page).toHaveTitle('Attention Lab');
  await expect(page.getByRole('heading', { name: 'Attention Lab', level: 1 })).toBeVisible();
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await network(ctx, lab, true);

  // Once the old version's last page is closed, the new one takes over and deletes the old cache.
  await page.close();
  page = await ctx.newPage();
  await page.goto(lab.url);
  await expect(page).toHaveTitle(NEW_TITLE);
  await expect.poll(() => cacheNames(page), { timeout: 30_000 }).toEqual([`attention-lab-${v2}`]);
  await network(ctx, lab, false);
  await page.reload();
  await expect(page).toHaveTitle(NEW_TITLE);
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await ctx.close();
});
