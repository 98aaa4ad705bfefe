// End-to-end tests of the built lab (under its Content-Security-Policy) in
// headless Chromium with WebGPU (SwiftShader: tiny sizes only).
import { expect, test } from '@playwright/test';
import { linesIn, TINY, watch } from './lab_page';

// A two-run experiment (softmax vs lssa) of the tiny size.
const TWO_RUNS = `/?${TINY}&x=Tiny+test&run=label:softmax,mech:softmax&run=label:lssa,mech:lssa`;

test.use({ viewport: { width: 1400, height: 1000 } });

test(
  'a tiny preset runs: progress moves, then loss against length shows one line per run; ' + 'its links reproduce it',
  async ({ page, browser }) => {
    const problems = watch(page);
    await page.goto(TWO_RUNS);
    await expect(page.getByRole('heading', { name: 'Attention Lab', level: 1 })).toBeVisible();
    await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Run experiment' }).click();
    const progress = page.getByTestId('progress-text').first();
    await expect(progress).toContainText(/step \d+\/20 · loss \d\.\d+ · [\d,]+ tokens\/s · .* left/, {
      timeout: 60_000,
    });
    await expect(page.locator('[data-status="done"]')).toHaveCount(2, { timeout: 120_000 });
    await expect(linesIn(page, 'plot-loss-vs-length')).toHaveCount(2);
    await expect(page.getByTestId('plot-attention-map').locator('svg')).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/app-after-run.png', fullPage: true });
    await page.screenshot({ path: 'test-results/screenshots/app-after-run-top.png' });

    // Copy link: a new page opens the same experiment.
    await page.getByRole('button', { name: 'Copy link', exact: true }).click();
    const link = await page.getByLabel('Share link').inputValue();
    expect(link).toContain('steps=20');
    const other = await page.context().newPage();
    await other.goto(link);
    await expect(other.getByLabel('Steps', { exact: true })).toHaveValue('20');
    await expect(other.getByLabel('Layers', { exact: true })).toHaveValue('2');
    await expect(other.getByLabel('Run 2 label')).toHaveValue('lssa');
    await expect(other.getByLabel('Run 2 Mechanism')).toHaveValue('lssa');
    await other.close();

    // Copy link with results: a browser WITHOUT WebGPU sees the plot at once, and is told what to do.
    await page.getByRole('button', { name: 'Copy link with results' }).click();
    // The results are compressed asynchronously: wait for the link to carry them.
    await expect(page.getByLabel('Share link')).toHaveValue(/res=/, { timeout: 30_000 });
    const withResults = await page.getByLabel('Share link').inputValue();
    const ctx = await browser.newContext();
    await ctx.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }),
    );
    const viewer = await ctx.newPage();
    const viewerProblems = watch(viewer);
    await viewer.goto(withResults);
    await expect(viewer.getByRole('heading', { name: /WebGPU is not available/ })).toBeVisible();
    await expect(linesIn(viewer, 'plot-loss-vs-length')).toHaveCount(2);
    await expect(viewer.getByRole('list', { name: 'Runs in the plots' }).getByText('softmax (shared)')).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Run experiment' })).toBeDisabled();
    await expect(viewer.getByRole('heading', { name: 'Extrapolation: softmax vs softplus' })).toBeVisible();
    await ctx.close();
    expect(viewerProblems.filter((p) => !/WebGPU/.test(p))).toEqual([]);
    expect(problems).toEqual([]);
  },
);

test('a reload mid-queue keeps the finished run and marks the interrupted one', async ({ page }) => {
  const problems = watch(page);
  // The second run is far too long to finish while the test pauses, resumes and reloads (it once had the
  // first run's 60 steps, about 2 s here: on a fast or idle machine it could end before the reload).
  const link = TWO_RUNS.replace('steps=20', 'steps=60').replace('log=5', 'log=2');
  await page.goto(link.replace('mech:lssa', 'mech:lssa,steps:20000'));
  await page.getByRole('button', { name: 'Run experiment' }).click({ timeout: 30_000 });
  await expect(page.locator('[data-status="done"]')).toHaveCount(1, { timeout: 90_000 });
  await expect(page.getByTestId('progress-text')).toContainText(/step \d+\/20000/, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Pause lssa' }).click();
  await expect(page.locator('[data-status="paused"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Resume lssa' }).click();
  await expect(page.locator('[data-status="running"]')).toHaveCount(1);
  await page.reload();
  await expect(page.locator('[data-status="done"]')).toHaveCount(1);
  await expect(page.locator('[data-status="interrupted"]')).toHaveCount(1);
  await expect(page.getByText(/interrupted by the reload/).first()).toBeVisible();
  await expect(linesIn(page, 'plot-loss-vs-length')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test(
  'a classroom link: locked controls are not editable, hidden ones are gone; ' +
    'hostile parts are shown as text and listed',
  async ({ page }) => {
    const problems = watch(page);
    const hostile = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
    await page.goto(
      `/?${TINY}&teacher=lock:steps%2BT,hide:C&x=${hostile}&L=-4&zz=1&run=label:${encodeURIComponent(hostile)}`,
    );
    await expect(page.getByLabel('Steps', { exact: true })).toBeDisabled();
    await expect(page.getByLabel('Training length T', { exact: true })).toBeDisabled();
    await expect(page.getByLabel('Batch', { exact: true })).toBeEnabled();
    await expect(page.getByLabel('Width', { exact: true })).toHaveCount(0);
    await expect(page.getByText(/locked and 1 hidden by your teacher/)).toBeVisible();
    const banner = page.getByTestId('banner-warning');
    await expect(banner).toContainText('Layers must be an integer');
    await expect(banner).toContainText("unknown field 'zz'");
    await expect(page.getByLabel(/Experiment name/)).toHaveValue('<img src=x onerror="window.__pwned=1">');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(problems).toEqual([]);
  },
);

test('without WebGPU in the worker path, the same engine runs on the main thread', async ({ page }) => {
  const problems = watch(page);
  await page.goto(`/?${TINY.replace('steps=20', 'steps=6')}&engine=main`);
  await expect(page.getByText(/GPU: .*\(main thread\)/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Run experiment' }).click();
  await expect(page.locator('[data-status="done"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(linesIn(page, 'plot-loss-vs-length')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('a config too large for the device is refused before it starts, naming the limit', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?v=1&B=256&T=1024&wu=0&fx=1&ew=1&steps=2');
  await page.getByRole('button', { name: 'Run experiment' }).click({ timeout: 30_000 });
  await expect(page.locator('[data-status="error"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('[data-status="error"] .error')).toContainText(/max(StorageBufferBindingSize|BufferSize)/);
  expect(problems).toEqual([]);
});
