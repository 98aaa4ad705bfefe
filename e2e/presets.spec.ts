// Every classroom preset, end to end in the built lab at a tiny size: load it
// from its card, shrink it, run it; every run finishes, the loss-vs-length plot
// has one line per run and per extra evaluation (re-weighting sweep,
// hybridskip), the answer figure a dot per run and seed in each of its rows,
// and every number in the exported results is finite.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { applyOverrides } from '../src/experiment/experiment';
import { PRESETS, type Preset } from '../src/experiment/presets';
import { DEFAULT_RUN } from '../src/experiment/run_config';
import { loadPreset } from './lab_page';

test.use({ viewport: { width: 1400, height: 1000 } });

/** Every number anywhere in a JSON value (to check none is NaN or infinite: JSON writes those as null). */
function numbers(
  v: unknown,
  out: { path: string; value: unknown }[] = [],
  path = '',
): { path: string; value: unknown }[] {
  if (typeof v === 'number' || v === null) out.push({ path, value: v });
  else if (Array.isArray(v))
    v.forEach((x, i) => {
      numbers(x, out, `${path}[${i}]`);
    });
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) numbers(x, out, `${path}.${k}`);
  return out;
}

/** The dots of a preset's answer figure for one seed of each run (its rows per panel; pairs; ratios). */
function answerDots(preset: Preset, linesPerRun: number): number {
  const a = preset.answer!;
  if (a.kind === 'paired') return 2 * preset.runs.length;
  if (a.kind === 'ratio') return preset.runs.length;
  // Quick-try lengths are 1x, 2x and 4x: T and the longest are two panels.
  return (preset.runs.length - (a.references?.length ?? 0)) * linesPerRun * new Set(a.at).size;
}

for (const preset of PRESETS) {
  test(`preset "${preset.id}" runs at a tiny size: one line per run and evaluation, finite numbers`, async ({
    page,
  }) => {
    const base = applyOverrides(DEFAULT_RUN, preset.base);
    const linesPerRun =
      1 + base.eval.reweightSweep.length + (base.eval.hybridskip ? 1 : 0) + (base.eval.windowed ? 1 : 0);
    test.setTimeout(60_000 + preset.runs.length * 40_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));

    await page.goto('/');
    await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
    await loadPreset(page, preset.title);
    await page.getByRole('button', { name: 'Shrink for a quick try' }).click();
    await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
    await page.getByRole('button', { name: 'Run experiment' }).click();
    await expect(page.locator('[data-status="done"]')).toHaveCount(preset.runs.length, {
      timeout: preset.runs.length * 40_000,
    });
    await expect(page.locator('[data-status="failed"], [data-status="interrupted"]')).toHaveCount(0);

    const lines = page.locator('[data-testid="plot-loss-vs-length"] svg g[aria-label="line"] path');
    await expect(lines).toHaveCount(preset.runs.length * linesPerRun);
    // The baselines are drawn with the lines.
    await expect(page.getByTestId('plot-loss-vs-length')).toContainText('unigram');
    // Above it, the figure that answers the preset's question: a dot per seed in each of its rows, and in words.
    const answer = page.getByTestId('plot-answer');
    await expect(answer.locator('svg g[aria-label="dot"] circle')).toHaveCount(answerDots(preset, linesPerRun));
    await expect(answer.locator('details.plot-alt p')).toContainText(/\d\.\d{3}/);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const docs = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as {
      label: string;
      lossVsLength: { lengths: { meanLoss: number }[] }[];
    }[];
    expect(docs.map((d) => d.label)).toEqual(preset.runs.map((r) => r.label));
    for (const d of docs) {
      expect(d.lossVsLength).toHaveLength(linesPerRun);
      for (const v of d.lossVsLength) for (const l of v.lengths) expect(l.meanLoss).toBeGreaterThan(0);
    }
    // JSON has no NaN or Infinity: a non-finite number would have been written as null.
    const bad = numbers(docs).filter((n) => n.value === null || !Number.isFinite(n.value as number));
    // Fields that are null by design (no passkey test, a variant without re-weighting, no validation at a step).
    const allowed = /\.passkey$|\.reweightP$|\.valLoss$/;
    expect(bad.filter((n) => !allowed.test(n.path))).toEqual([]);
    expect(problems).toEqual([]);
  });
}
