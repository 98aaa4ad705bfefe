// Issue 18: the one build works under any sub-path. The build is served by a
// plain static server under /lab/ (as GitHub Pages serves a project at
// /attention-lab/); a shrunk experiment runs there, its link with results
// opens the same plot in a new browser context under the same sub-path, and
// no request of either context (pages, worker, service worker) leaves /lab/.
import { expect, test } from '@playwright/test';
import { legend, linesIn, TINY, watch } from './lab_page';
import { type LabServer, serveBuild } from './serve';

const ONE_RUN = `${TINY}&x=Sub-path&run=label:softmax,mech:softmax`;

let lab: LabServer;
test.beforeAll(async () => {
  lab = await serveBuild('/lab/');
});
test.afterAll(async () => {
  await lab?.close();
});
test.use({ viewport: { width: 1400, height: 1000 } });

test('served under /lab/: a run, then its link with results shows the same plot; nothing leaves /lab/', async ({
  browser,
}) => {
  const requested: string[] = [];
  const ctx = await browser.newContext();
  ctx.on('request', (r) => requested.push(r.url()));
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(`${lab.url}?${ONE_RUN}`);
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Run experiment' }).click();
  await expect(page.locator('[data-status="done"]')).toHaveCount(1, { timeout: 120_000 });
  await expect(linesIn(page)).toHaveCount(1);
  const drawn = await linesIn(page).first().getAttribute('d');

  // The link is built from the address the lab is served at.
  await page.getByRole('button', { name: 'Copy link with results' }).click();
  await expect(page.getByLabel('Share link')).toHaveValue(/res=/, { timeout: 30_000 });
  const link = await page.getByLabel('Share link').inputValue();
  expect(link.startsWith(`${lab.url}#k=`)).toBe(true); // the link's integrity check comes first (issue 20)
  expect(link).toContain('&v=1&');

  const ctx2 = await browser.newContext();
  ctx2.on('request', (r) => requested.push(r.url()));
  const viewer = await ctx2.newPage();
  const viewerProblems = watch(viewer);
  await viewer.goto(link);
  await expect(legend(viewer).getByText('softmax (shared)')).toBeVisible({ timeout: 30_000 });
  await expect(linesIn(viewer)).toHaveCount(1);
  // The plot takes its column's width, which can still change as the page settles (lazy pictures, a scrollbar
  // appearing): wait for the same drawing rather than reading it once (a CI run read it mid-resize, 50 px narrower).
  await expect.poll(() => linesIn(viewer).first().getAttribute('d'), { timeout: 15_000 }).toBe(drawn);
  await expect(viewer.getByLabel('Steps', { exact: true })).toHaveValue('20');
  await ctx2.close();
  await ctx.close();

  // Every request, as the browsers saw them and as the server got them, stayed under /lab/.
  const outside = requested.filter((u) => !u.startsWith(lab.url) && !/^(data|blob):/.test(u));
  expect(outside).toEqual([]);
  expect(lab.requests.filter((p) => !p.startsWith('/lab/'))).toEqual([]);
  // The corpus and the worker came from under /lab/ too (the run needed both).
  expect(lab.requests.some((p) => p.startsWith('/lab/data/brown.json?v='))).toBe(true);
  expect(lab.requests.some((p) => /^\/lab\/assets\/lab\.worker-[\w-]+\.js$/.test(p))).toBe(true);
  expect(problems).toEqual([]);
  expect(viewerProblems).toEqual([]);
});
