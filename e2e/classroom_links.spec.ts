// Issue 20, in the built page: a student link's locks hold over a preset and
// its name is asked before the first run; a cut link shows one sentence and
// loads nothing; a results link stays in the address bar; the compare view
// tells three students apart (a duplicate dropped, a lock left flagged), with
// a legend and a class table, readable at 1920x1080 in large text; pasted
// links and large text survive a reload. Links are built here, in Node, with
// the lab's own codec (real runs from docs/figures): nothing is trained.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ResultsDoc } from '../src/eval/results';
import type { Experiment } from '../src/experiment/experiment';
import { labLink } from '../src/experiment/lab_address';
import { LINK_INCOMPLETE, sealLink } from '../src/experiment/link_check';
import { PRESETS, presetExperiment } from '../src/experiment/presets';
import { linkWithResults } from '../src/experiment/results_link';
import { encodeExperiment } from '../src/experiment/url';
import { loadPreset, watch } from './lab_page';

const teacher = { locked: ['train.steps', 'train.seqLen'], hidden: [] };
/** The extrapolation preset at 300 steps and T = 64, which the "Positional schemes" preset would change. */
function assignment(): Experiment {
  const e = { ...presetExperiment(PRESETS[0]), label: 'Week 3: extrapolation' };
  e.base = { ...e.base, train: { ...e.base.train, steps: 300, seqLen: 64 } };
  return e;
}
const runs = JSON.parse(readFileSync('docs/figures/extrapolation.json', 'utf8')) as ResultsDoc[];

const studentLink = (base: string) => labLink(new URL('/', base), sealLink(encodeExperiment(assignment(), teacher)));
async function resultsLink(base: string, who: string, seed: number, e = assignment()) {
  const q = await linkWithResults(
    e,
    teacher,
    runs.filter((d) => d.seed === seed),
    null,
    who,
  );
  return labLink(new URL('/', base), sealLink(q), true);
}

test('a student link: no teacher panel, locks hold over a preset, a name before the first run', async ({
  page,
  baseURL,
}) => {
  const problems = watch(page);
  await page.goto(studentLink(baseURL!));
  const steps = page.getByLabel('Steps', { exact: true });
  await expect(steps).toHaveValue('300', { timeout: 30_000 });
  await expect(steps).toBeDisabled();
  await expect(page.getByTestId('lock-icon').first()).toBeVisible();
  await expect(page.getByText('Teacher: make a student link')).toHaveCount(0);
  const run = page.getByRole('button', { name: 'Run experiment' });
  await expect(page.getByText('Type your name before your first run.')).toBeVisible();
  await expect(run).toBeDisabled();
  // "Positional schemes" would set steps and T over the teacher's values, and its title over the name.
  await loadPreset(page, /Positional/);
  await expect(page.getByLabel('Run 1 label')).toHaveValue(/rope|nope|alibi|pos/i);
  await expect(steps).toHaveValue('300');
  await expect(page.getByLabel('Training length T', { exact: true })).toHaveValue('64');
  await expect(page.getByLabel(/Experiment name/)).toHaveValue('Week 3: extrapolation');
  await page.getByLabel(/Your name/).fill('Ana');
  await expect(run).toBeEnabled({ timeout: 60_000 });
  await expect(page).toHaveURL(/[?&]who=Ana(&|$)/);
  expect(problems).toEqual([]);
});

test('a cut student link and a cut results link: one sentence, nothing loaded', async ({ page, baseURL }) => {
  const problems = watch(page);
  const whole = await resultsLink(baseURL!, 'Ana', 1);
  for (const cut of [studentLink(baseURL!).slice(0, -7), whole.slice(0, 4000)]) {
    await page.goto('about:blank'); // a fragment alone changing would not load the page again
    await page.goto(cut);
    const alert = page.getByRole('alert').filter({ hasText: LINK_INCOMPLETE });
    await expect(alert).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId('banner-warning')).toHaveCount(0);
    await expect(page.getByLabel(/Experiment name/)).toHaveValue('Default experiment');
    await expect(page.locator('[data-testid="plot-loss-vs-length"] svg g[aria-label="line"] path')).toHaveCount(0);
    await expect(page.getByText(/atob|base64|Compressed input|malformed/i)).toHaveCount(0);
    expect(page.url()).toBe(cut); // what was opened stays in the address bar
  }
  // The whole results link opens, and the address bar keeps its results until the experiment changes.
  await page.goto('about:blank');
  await page.goto(whole);
  await expect(page.getByText('This link carries the results of 3 runs')).toBeVisible({ timeout: 30_000 });
  expect(page.url()).toBe(whole);
  await page.getByLabel('Batch', { exact: true }).fill('4');
  await expect(page).toHaveURL(/\?k=[^#]*B=4/);
  expect(problems).toEqual([]);
});

test('the compare view: three students, a duplicate, a lock left; legend, class table, large text', async ({
  page,
  baseURL,
}) => {
  const problems = watch(page);
  const left = { ...assignment(), base: { ...assignment().base, train: { ...assignment().base.train, steps: 20 } } };
  const ana = await resultsLink(baseURL!, 'Ana', 1);
  const links = [ana, await resultsLink(baseURL!, 'Ben', 2, left), ana, await resultsLink(baseURL!, 'Ana', 3)];
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('/');
  await page.getByRole('button', { name: 'Large text' }).click();
  await page.getByText("Classroom: compare students' results").click();
  await page.getByLabel(/The student link you handed out/).fill(studentLink(baseURL!));
  await page.getByLabel(/Paste result links/).fill(links.join('\n'));
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.getByTestId('compare-students')).toHaveText('3 students: Ana, Ben, Ana (2)', {
    timeout: 30_000,
  });
  const notes = page.getByTestId('compare-notes');
  await expect(notes).toContainText('link 3: the same results as link 1 (Ana); left out');
  await expect(notes).toContainText("link 4: another student named 'Ana', shown as 'Ana (2)'");
  await expect(page.getByTestId('lock-flags')).toContainText('Ben: Steps 20, assignment 300');
  const plot = page.getByTestId('plot-compare');
  await expect(plot.locator('svg g[aria-label="line"] path')).toHaveCount(9);
  await expect(plot.locator('g[aria-label="legend"] text')).toHaveCount(9);
  await expect(plot.locator('g[aria-label="legend"]')).toContainText('Ana (2): lssar (p = 15)');
  const table = page.getByTestId('class-table');
  await expect(table.locator('tbody tr')).toHaveCount(9 + 3);
  await expect(table).toContainText('class average (2)'); // Ben left out
  await expect(table.getByRole('columnheader', { name: 'loss at 16× T' })).toBeVisible();
  // Large text on a projector: the plot fills its column (wider than the old 780 px).
  const width = await plot
    .locator('svg')
    .first()
    .evaluate((s) => s.getBoundingClientRect().width);
  expect(width).toBeGreaterThan(1000);
  // The screenshot a class sees: the plot, its legend and the class table from the top of the screen.
  await plot.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'test-results/classroom-compare-1920x1080-large.png' });

  // A reload keeps the pasted links and the large text, and reads the links again when the view opens.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Large text' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByText("Classroom: compare students' results").click();
  await expect(page.getByLabel(/Paste result links/)).toHaveValue(links.join('\n'));
  await expect(page.getByTestId('compare-students')).toHaveText('3 students: Ana, Ben, Ana (2)', {
    timeout: 30_000,
  });
  expect(problems).toEqual([]);
});

test('the small details: p where it acts, the task only with task data, copy notes, imports, file names', async ({
  page,
}) => {
  const problems = watch(page);
  await page.goto('/');
  await loadPreset(page, /Extrapolation/);
  // softmax, lssa, lssar (p = 15): only the lssar run shows its p, and it does not read "re-weight: off".
  await expect(page.getByLabel('Re-weighting p (run 1)')).toHaveCount(0);
  await expect(page.getByLabel('Re-weighting p (run 3)')).toHaveValue('15');
  await expect(page.getByLabel('Run 3 Re-weighting').locator('option').first()).toHaveText(
    're-weight: off (base); lssar re-weights itself',
  );
  await expect(page.getByLabel('Synthetic task', { exact: true })).toHaveCount(0);
  await page.locator('summary', { hasText: /^Data$/ }).click();
  await page.getByLabel('Data', { exact: true }).selectOption('task');
  await expect(page.getByLabel('Synthetic task', { exact: true })).toBeVisible();
  await page.getByLabel('Data', { exact: true }).selectOption('brown');

  await page.getByText('Teacher: make a student link').click();
  await page.getByRole('button', { name: 'Copy student link' }).click();
  await expect(page.getByText(/^(Copied|Select and copy): the student link \([\d,]+ characters\)$/)).toBeVisible();

  const file = {
    name: 'week3.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(runs.slice(0, 3))),
  };
  await page.getByLabel('Import results (JSON)').setInputFiles(file);
  await expect(page.getByText('Imported 3 runs from week3.json')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Runs in the plots' })).toContainText('softmax (week3.json)');
  await page.getByLabel('Import results (JSON)').setInputFiles(file);
  await expect(page.getByText('Imported 0 runs from week3.json')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV (loss vs length)' }).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toBe('Extrapolation-softmax-vs-softplus-loss-vs-length.csv');
  expect(readFileSync(await csv.path(), 'utf8').split('\n')[1]).toMatch(/^Extrapolation: softmax vs softplus,,softmax/);
  expect(problems).toEqual([]);
});

test('without WebGPU: what to do, in plain words, once; the browser reason folded away', async ({
  browser,
  baseURL,
}) => {
  const ctx = await browser.newContext();
  await ctx.addInitScript(() =>
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }),
  );
  const page = await ctx.newPage();
  await page.goto(await resultsLink(baseURL!, 'Ana', 1));
  await expect(page.getByText(/open this page in Chrome or Edge on a laptop or desktop computer/)).toHaveCount(1);
  await expect(page.getByText(/navigator\.gpu is missing/)).toBeHidden();
  await expect(page.getByText(/Press .Run experiment/)).toHaveCount(0);
  await expect(page.locator('[data-testid="plot-loss-vs-length"] svg g[aria-label="line"] path')).toHaveCount(3);
  await ctx.close();
});
