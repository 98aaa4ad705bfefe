// Issue 21 in the built lab: the classroom compare view loads results FILES.
// Two tiny runs (softmax, lssa) are trained and exported "with weights"; the
// file is cut into one file per student (Ana: softmax, Ben: lssa) and loaded
// into the compare view with a file that is not JSON. The students join the
// class, the bad file is one line, and the compare view's own "Continue the
// text" and coloured passage (Ben's run minus Ana's) give the same text and
// the same shades as the lab's panels for the runs they came from. The
// panels have no serious or critical axe finding, the passage downloads, and
// a file removed leaves the class.
import { readFileSync } from 'node:fs';
import { expect, type Locator, test } from '@playwright/test';
import { seriousIn, watch } from './lab_page';

test.use({ viewport: { width: 1400, height: 1000 } });

/** Two runs as small as still read a passage: 1 layer, 16 wide, T = 8, 8 steps (about 20 s on SwiftShader). */
const T = 8;
const EXPERIMENT =
  `/?v=1&L=1&H=2&C=16&steps=8&B=2&T=${T}&wu=0&log=4&ev=0&fx=1%2B2&ew=2&eb=4` +
  '&x=Tiny+test&run=label:softmax,mech:softmax&run=label:lssa,mech:lssa';

/** 1x T only, 12 characters, seed 3; then continue with both runs. */
async function continueBoth(speak: Locator): Promise<string[]> {
  await speak.getByRole('checkbox', { name: '16x T' }).uncheck();
  await speak.getByLabel('Characters').fill('12');
  await speak.getByLabel('Seed').fill('3');
  await speak.getByRole('button', { name: 'Continue with all 2 runs' }).click();
  await expect(speak.locator('.speak-run .speak-new')).toHaveCount(2, { timeout: 60_000 });
  return speak.locator('.speak-run .speak-new').allTextContents();
}

/** The passage at 1x T, run A minus run B: its shades, and its first character's losses. */
async function colour(passage: Locator, a: string, b: string) {
  await passage.getByLabel('Run A').selectOption({ label: a });
  await passage.getByLabel('minus run B').selectOption({ label: b });
  await passage.getByLabel('Length').selectOption({ label: '1x T' });
  await passage.getByRole('button', { name: 'Colour the passage' }).click();
  const text = passage.getByRole('slider', { name: /coloured passage/ });
  await expect(text.locator('span')).toHaveCount(T + 1, { timeout: 60_000 });
  const shades = await text.locator('span').evaluateAll((s) => s.map((e) => (e as HTMLElement).style.background));
  const losses = [...((await text.getAttribute('aria-valuetext')) ?? '').matchAll(/loss (\d+\.\d\d)/g)].map(
    (m) => m[1],
  );
  return { shades, losses };
}

test('results files with weights in the compare view continue text and colour the passage as the lab does', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const problems = watch(page);
  await page.goto(EXPERIMENT);
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Run experiment' }).click();
  await expect(page.locator('[data-status="done"]')).toHaveCount(2, { timeout: 120_000 });

  // The lab's own panels, for the numbers to match.
  const lab = page.locator('main');
  const labText = await continueBoth(lab.getByRole('region', { name: 'Continue the text' }).first());
  const labPassage = await colour(
    lab.getByRole('region', { name: 'The passage, coloured by loss' }).first(),
    'lssa',
    'softmax',
  );
  expect(new Set(labPassage.shades.slice(1)).size).toBeGreaterThan(3);

  await page.getByRole('checkbox', { name: /with weights/ }).check();
  const saved = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const runs = JSON.parse(readFileSync(await (await saved).path(), 'utf8')) as { label: string }[];
  expect(runs.map((r) => r.label)).toEqual(['softmax', 'lssa']);
  const file = (name: string, value: unknown) => ({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  });

  const compare = page.locator('details.compare');
  await page.getByText("Classroom: compare students' results").click();
  await compare
    .getByLabel('Load results files (JSON)')
    .setInputFiles([
      file('Ana-results.json', [runs[0]]),
      file('Ben-results.json', [runs[1]]),
      file('notes.json', 'my notes, not JSON'),
    ]);
  await expect(compare.getByTestId('compare-students')).toHaveText('2 students: Ana, Ben', { timeout: 30_000 });
  await expect(compare.getByRole('alert')).toHaveText(/^file notes\.json: the file is not valid JSON/);
  await expect(compare.getByRole('list', { name: 'Results files loaded' })).toContainText(
    'Ana-results.json: 1 run, 1 with weights',
  );
  await expect(compare.getByTestId('class-table')).toBeVisible();

  // The same seed, the same text; the same shades and losses for Ben's lssa minus Ana's softmax.
  const speak = compare.getByRole('region', { name: 'Continue the text' });
  await expect(speak.locator('.speak-notes li')).toHaveCount(0);
  expect(await continueBoth(speak)).toEqual(labText);
  await expect(speak.locator('.speak-run h3')).toHaveText(['Ana: softmax', 'Ben: lssa']);
  const passage = compare.getByRole('region', { name: 'The passage, coloured by loss' });
  expect(await colour(passage, 'Ben: lssa', 'Ana: softmax')).toEqual(labPassage);
  await expect(passage.locator('.passage-legend')).toContainText('Ben: lssa');

  // The compare view's new parts (the rest of it: e2e/a11y.spec.ts).
  const parts = [
    '.compare-files',
    '.compare-file-list',
    '.compare [role="alert"]',
    '.compare .speak',
    '.compare .passage-panel',
  ];
  expect(await seriousIn(page, parts)).toEqual([]);
  const download = page.waitForEvent('download');
  await passage.getByRole('button', { name: 'Download as HTML' }).click();
  const html = readFileSync(await (await download).path(), 'utf8');
  expect(html.match(/<span( class="t")? style="background:/g)).toHaveLength(T + 1);
  expect(html).toContain('Ben: lssa');

  // A file removed leaves the class and the panels.
  await compare.getByRole('button', { name: 'Remove Ben-results.json' }).click();
  await expect(compare.getByTestId('compare-students')).toHaveText('1 student: Ana');
  await expect(speak.getByRole('button', { name: 'Continue with the run' })).toBeVisible();
  expect(problems).toEqual([]);
});
