// Issue 15, everyone in the room: every plot of the results has a text
// alternative, its numbers as a table ("As a table" under each figure). Shared
// results (a link of real runs from docs/figures, nothing trained): the answer
// figure, loss against length and step, per position, passkey, diagnostics.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ResultsDoc } from '../src/eval/results';
import { labLink } from '../src/experiment/lab_address';
import { sealLink } from '../src/experiment/link_check';
import { PRESETS, presetExperiment } from '../src/experiment/presets';
import { linkWithResults } from '../src/experiment/results_link';
import { plotsWithoutTable, watch } from './lab_page';

test('every plot of shared results has its numbers as a table', async ({ page, baseURL }) => {
  const problems = watch(page);
  const docs = (JSON.parse(readFileSync('docs/figures/passkey.json', 'utf8')) as ResultsDoc[]).filter(
    (d) => d.seed === 1,
  );
  const q = await linkWithResults(presetExperiment(PRESETS[0]), null, docs);
  await page.goto(labLink(new URL('/', baseURL), sealLink(q), true));
  const ids = ['plot-answer', 'plot-loss-vs-length', 'plot-loss-vs-step', 'plot-per-position', 'plot-passkey'];
  for (const id of [...ids, 'plot-diagnostics']) await expect(page.getByTestId(id)).toBeVisible({ timeout: 30_000 });
  expect(await page.locator('figure.plot').count()).toBeGreaterThanOrEqual(6);
  expect(await plotsWithoutTable(page)).toEqual([]);
  // The loss table names every run of the link, one row each.
  const lossTable = page.getByTestId('plot-loss-vs-length').getByRole('table');
  for (const d of docs) await expect(lossTable.getByRole('rowheader', { name: `${d.label} (shared)` })).toBeVisible();
  expect(problems).toEqual([]);
});
