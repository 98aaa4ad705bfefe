// Issue 15's first minute: a fresh page opens on the experiments with the quick
// demo loaded; one press runs it, and at 16x the softmax model's loss is above
// the lssar model's by at least the margin measured over seeds 1-3
// (QUICK_DEMO_GAP). The time is recorded, and checked only loosely: it is a
// benchmark figure of a shared machine, not a timed test.
// It is also the engine's drift test (issue 15): the lab's run at seed 1 must land inside the quick demo's
// shipped reference band (seeds 1-3, docs/figures/reference/quick-demo.json.gz) at T and at 16x on this adapter,
// and on the reference's own seed 1 (both within DRIFT_TOL); the queue says where it lands and the plot draws the
// band. A second test (no training): a results link opens with the band, and a preset's band file is fetched only
// once the preset is opened.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ResultsDoc } from '../src/eval/results';
import { PRESETS, presetExperiment, QUICK_DEMO, QUICK_DEMO_GAP } from '../src/experiment/presets';
import { linkWithResults } from '../src/experiment/results_link';
import { checkBand, decodeReference } from '../src/report/reference';
import { presetCard, watch } from './lab_page';

/**
 * How far the lab's seed-1 run may land from the reference's seed 1, and outside the band: on the machine that
 * measured the reference the difference is exactly 0 (the engine is bit-reproducible); another build of the software
 * adapter may sum in another order (float32 noise at 2.4 nats is about 1e-6 nats). 1e-3 nats is far under the
 * seeds' spread (0.04-0.22 nats at T and 16x), so a drift of the engine shows long before a run leaves the band.
 */
const DRIFT_TOL = 1e-3;

/** A built band file's name: Vite's asset name for docs/figures/reference/<id>.json.gz. */
const bandFile = (id: string) => new RegExp(`/${id}\\.json-[\\w-]+\\.gz$`);

test.use({ viewport: { width: 1366, height: 768 } });

interface Doc {
  label: string;
  seed: number;
  lossVsLength: { lengths: { factor: number; meanLoss: number }[] }[];
}

const at16 = (d: Doc) => d.lossVsLength[0].lengths.find((l) => l.factor === 16)?.meanLoss ?? Number.NaN;

test('a fresh page runs the quick demo in one press; softmax loses more than lssar at 16x', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watch(page);
  const fetched: string[] = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.goto('/');
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  // The first screen is the experiments: the builder's form is folded away, the quick demo is the experiment.
  await expect(page.getByRole('button', { name: 'Run experiment' })).toBeHidden();
  expect(new URL(page.url()).searchParams.get('x')).toBe(QUICK_DEMO.title);
  const run = presetCard(page, QUICK_DEMO.title).getByRole('button', { name: 'Run the quick demo' });
  await expect(run).toBeInViewport();

  const start = Date.now();
  await run.click();
  await expect(page.locator('[data-status="done"]')).toHaveCount(QUICK_DEMO.runs.length, { timeout: 240_000 });
  const seconds = (Date.now() - start) / 1000;
  test.info().annotations.push({ type: 'quick demo wall time', description: `${seconds.toFixed(1)} s` });
  console.log(`quick demo: ${seconds.toFixed(1)} s from the press to both runs evaluated`);
  await expect(page.locator('[data-status="error"], [data-status="interrupted"]')).toHaveCount(0);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const docs = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as Doc[];
  expect(docs.map((d) => d.label)).toEqual(QUICK_DEMO.runs.map((r) => r.label));
  const [softmax, lssar] = docs.map(at16);
  console.log(`quick demo, seed ${docs[0].seed}: 16x loss softmax ${softmax.toFixed(3)}, lssar ${lssar.toFixed(3)}`);
  expect(softmax - lssar).toBeGreaterThanOrEqual(QUICK_DEMO_GAP);

  // Drift: each run at seed 1 lies inside its band (min to max over seeds 1-3, lo rounded down and hi up to
  // 1e-4 nats) at T and at 16x, and on the loss of the reference's own seed 1, both within DRIFT_TOL.
  const band = await decodeReference(new Uint8Array(readFileSync('docs/figures/reference/quick-demo.json.gz')));
  const reference = JSON.parse(readFileSync('docs/figures/quick-demo.json', 'utf8')) as ResultsDoc[];
  const checks = (docs as unknown as ResultsDoc[]).map((d) => {
    const ref = reference.find((x) => x.label === d.label && x.seed === d.seed)!.lossVsLength[0].lengths;
    return checkBand(d, band.runs.find((r) => r.label === d.label)!).map((c) => {
      const same = ref.find((l) => l.factor === c.factor)!.meanLoss;
      const line = `${d.label} at ${c.at}: ${c.loss.toFixed(5)} in ${c.lo}-${c.hi}, reference seed ${d.seed} ${same}`;
      console.log(`drift: ${line} (difference ${(c.loss - same).toExponential(2)})`);
      return { ...c, label: d.label, line, same };
    });
  });
  expect(checks.flat().map((c) => `${c.label} at ${c.at}`)).toEqual(
    QUICK_DEMO.runs.flatMap((r) => [`${r.label} at T`, `${r.label} at 16x`]),
  );
  for (const c of checks.flat()) {
    expect(c.loss, c.line).toBeGreaterThanOrEqual(c.lo - DRIFT_TOL);
    expect(c.loss, c.line).toBeLessThanOrEqual(c.hi + DRIFT_TOL);
    expect(Math.abs(c.loss - c.same), c.line).toBeLessThanOrEqual(DRIFT_TOL);
  }
  // The queue says where each run lands, with the band's numbers; the plot draws a labelled band under each run.
  const where = (c: (typeof checks)[number][number]) =>
    `${c.loss.toFixed(3)} ${c.where} ${c.lo.toFixed(3)}-${c.hi.toFixed(3)}`;
  await expect(page.getByTestId('reference-check')).toHaveText(
    checks.map(([t, x]) => `Reference (seeds 1-3): at T ${where(t)}; at 16x ${where(x)}`),
  );
  const plot = page.getByTestId('plot-loss-vs-length');
  await expect(plot.locator('svg g.reference-band path')).toHaveCount(2);
  await expect(plot.locator('svg g.reference-band-label')).toContainText('reference, 3 seeds');
  await plot.screenshot({ path: 'test-results/screens/reference-band.png' });
  // Only the open preset's band was fetched.
  const bands = fetched.filter((u) => /\.json-[\w-]+\.gz$/.test(u));
  expect(bands, bands.join(' ')).toHaveLength(1);
  expect(bands[0]).toMatch(bandFile('quick-demo'));

  expect(problems).toEqual([]);
});

test('a results link of the quick demo opens with its band; another preset fetches its own when opened', async ({
  page,
}) => {
  const problems = watch(page);
  const fetched: string[] = [];
  page.on('request', (r) => fetched.push(r.url()));
  // The reference's own seed-1 runs, shared as the lab shares finished runs.
  const docs = (JSON.parse(readFileSync('docs/figures/quick-demo.json', 'utf8')) as ResultsDoc[]).filter(
    (d) => d.seed === 1,
  );
  const link = await linkWithResults(presetExperiment(QUICK_DEMO), null, docs);
  await page.goto(`/?${link}`);
  await expect(page.getByRole('list', { name: 'Runs in the plots' }).getByText('softmax (shared)')).toBeVisible({
    timeout: 30_000,
  });
  const plot = page.getByTestId('plot-loss-vs-length');
  await expect(plot.locator('svg g.reference-band path')).toHaveCount(2, { timeout: 30_000 });
  await expect(plot.locator('details.plot-alt p')).toContainText('the reference, 3 seeds of the preset');
  const bands = () => fetched.filter((u) => /\.json-[\w-]+\.gz$/.test(u));
  expect(bands()).toEqual([expect.stringMatching(bandFile('quick-demo'))]);

  // Opening another preset fetches its band, and only its.
  await presetCard(page, PRESETS[0].title).getByRole('button', { name: 'Edit first' }).click();
  await expect.poll(() => bands().length).toBe(2);
  expect(bands()[1]).toMatch(bandFile(PRESETS[0].id));
  expect(problems).toEqual([]);
});
