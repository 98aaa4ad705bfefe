// "Let the models speak" in the built lab: the extrapolation preset shrunk
// and run (softmax, lssa, lssar), then the same validation prompt continued
// by each run at 4x its training length, in a sliding and in a growing
// context (from the key/value cache); then the passage coloured by a
// run's loss and by the difference of two, with its top-five guesses under
// the keyboard, and its HTML export. The page's main thread never blocks for
// more than 100 ms while the worker samples, and the two panels have no
// serious or critical axe finding. After a reload the runs' weights are read
// back (IndexedDB), and the same seed continues the same text; and so it does
// in a new lab that imports the runs' results file exported with weights.
import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { loadPreset, longTasks, recordLongTasks, seriousIn, watch } from './lab_page';

test.use({ viewport: { width: 1400, height: 1000 } });

const RUNS = ['softmax', 'lssa', 'lssar (p = 15)'];

/** The continuations shown, per run and context block. */
const continuations = (page: Page) => page.locator('.speak-block[data-factor="4"] .speak-new').allTextContents();

/** 4x T only, 12 characters, seed 3. */
async function setUp(speak: Locator): Promise<void> {
  await speak.getByRole('checkbox', { name: '1x T' }).uncheck();
  await speak.getByRole('checkbox', { name: '16x T' }).uncheck();
  await speak.getByRole('checkbox', { name: '4x T' }).check();
  await speak.getByLabel('Characters').fill('12');
  await speak.getByLabel('Seed').fill('3');
}

test('a shrunk preset continues one prompt at 4x T with every run, and colours the passage by loss', async ({
  page,
  browser,
}) => {
  test.setTimeout(420_000);
  const problems = watch(page);
  await recordLongTasks(page);
  await page.goto('/');
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await loadPreset(page, 'Extrapolation: softmax vs softplus');
  await page.getByRole('button', { name: 'Shrink for a quick try' }).click();
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
  await page.getByRole('button', { name: 'Run experiment' }).click();
  await expect(page.locator('[data-status="done"]')).toHaveCount(RUNS.length, { timeout: 150_000 });

  // Continue the text: 4x T only, 12 characters, seed 3.
  const speak = page.getByRole('region', { name: 'Continue the text' });
  await setUp(speak);
  // The window watched for long tasks starts once the page has drawn its results (an idle main thread).
  await page.evaluate(() => new Promise((r) => requestIdleCallback(r, { timeout: 10_000 })));
  const from = await page.evaluate(() => performance.now());
  await speak.getByRole('button', { name: `Continue with all ${RUNS.length} runs` }).click();
  await expect(speak.locator('.speak-run h3')).toHaveText(RUNS, { timeout: 60_000 });
  await expect(speak.getByRole('button', { name: /Continue with/ })).toBeEnabled({ timeout: 60_000 });
  const to = await page.evaluate(() => performance.now());
  const first = await continuations(page);
  expect(first).toHaveLength(RUNS.length);
  for (const c of first) expect([...c]).toHaveLength(12);
  // Every run read the same prompt: 4x T = 64 characters (the shrunk T is 16), shown by its last characters.
  const prompts = await speak.locator('.speak-block[data-factor="4"] .speak-read').allTextContents();
  expect(new Set(prompts).size).toBe(1);
  await expect(speak.locator('.speak-block[data-factor="4"] .speak-factor').first()).toContainText(
    '4x T (64 characters',
  );
  await expect(speak.locator('.speak-truth')).toContainText(/\S/);
  // A growing context: the panel says before the run that every one of these mechanisms uses the key/value cache,
  // and each answer says it did; the first character's context is the sliding one's, so with the same seed it is
  // the same character.
  await speak.getByLabel('Context').selectOption({ label: 'grows from the prompt' });
  await expect(speak.locator('.speak-grow li')).toHaveCount(RUNS.length);
  for (const li of await speak.locator('.speak-grow li').allTextContents()) expect(li).toContain('key/value cache');
  await speak.getByRole('button', { name: `Continue with all ${RUNS.length} runs` }).click();
  await expect(speak.locator('.speak-block[data-path="grow-cache"]')).toHaveCount(RUNS.length, { timeout: 60_000 });
  await expect(speak.locator('.speak-path')).toHaveCount(RUNS.length);
  const grown = await continuations(page);
  expect(grown.map((c) => [...c].length)).toEqual(RUNS.map(() => 12));
  expect(grown.map((c) => c[0])).toEqual(first.map((c) => c[0]));
  await speak.getByLabel('Context').selectOption({ label: 'slides at L' });
  await speak.getByRole('button', { name: `Continue with all ${RUNS.length} runs` }).click();
  await expect(speak.locator('.speak-block[data-path="slide"]')).toHaveCount(RUNS.length, { timeout: 60_000 });
  expect(await continuations(page)).toEqual(first);
  // An empty prompt of one's own is refused in one line, and nothing is lost.
  await speak.getByRole('radio', { name: 'your own text' }).check();
  await speak.getByRole('button', { name: /Continue with/ }).click();
  await expect(speak.getByRole('alert')).toHaveText(/the prompt is empty/);
  expect(await continuations(page)).toEqual(first);

  // The passage coloured by loss, 4x T: 65 characters, 64 of them shaded, the first 16 underlined.
  const passage = page.getByRole('region', { name: 'The passage, coloured by loss' });
  await passage.getByRole('button', { name: 'Colour the passage' }).click();
  const text = passage.getByRole('slider', { name: /coloured passage/ });
  await expect(text.locator('span')).toHaveCount(65, { timeout: 60_000 });
  await expect(text.locator('span.t')).toHaveCount(16);
  const shades = await text.locator('span').evaluateAll((s) => s.map((e) => (e as HTMLElement).style.background));
  expect(new Set(shades.slice(1)).size).toBeGreaterThan(3);
  await expect(passage.locator('.passage-legend')).toContainText('loss of softmax on each character');
  // The keyboard moves through it; the line below says the top five guesses with their probabilities.
  await text.focus();
  await page.keyboard.press('ArrowRight');
  await expect(text).toHaveAttribute('aria-valuenow', '2');
  await expect(passage.locator('.passage-top')).toHaveText(
    /^Character 2 .*softmax loss \d+\.\d\d, guessed (".+" \d+(\.\d)?%, ){4}".+" \d/,
  );
  expect(await seriousIn(page, ['.speak', '.passage-panel'])).toEqual([]);

  // The difference: softmax minus lssar, on a diverging scale that starts below zero.
  await passage.getByLabel('minus run B').selectOption({ label: 'lssar (p = 15)' });
  await passage.getByRole('button', { name: 'Colour the passage' }).click();
  await expect(passage.locator('.passage-legend')).toContainText('blue where softmax predicts better', {
    timeout: 60_000,
  });
  await expect(passage.locator('.passage-stop').first()).toHaveText(/^-\d/);
  const download = page.waitForEvent('download');
  await passage.getByRole('button', { name: 'Download as HTML' }).click();
  const html = readFileSync(await (await download).path(), 'utf8');
  expect(html.match(/<span( class="t")? style="background:/g)).toHaveLength(65);

  // While the worker sampled, the page never blocked for more than 100 ms.
  const long = await longTasks(page);
  const during = long.filter((t) => t.start > from && t.start < to);
  const at = during.map((t) => `${t.duration.toFixed(0)} ms at +${(t.start - from).toFixed(0)} ms`);
  console.log(`long tasks while sampling (${(to - from).toFixed(0)} ms): ${at.join(', ') || 'none'}`);
  expect(Math.max(0, ...during.map((t) => t.duration))).toBeLessThanOrEqual(100);

  // The weights outlive a reload (the worker's IndexedDB archive): the same seed continues the same text.
  await page.reload();
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await setUp(speak);
  await speak.getByRole('button', { name: `Continue with all ${RUNS.length} runs` }).click();
  await expect(speak.locator('.speak-run h3')).toHaveText(RUNS, { timeout: 90_000 });
  expect(await continuations(page), (await speak.locator('.speak-answers').textContent()) ?? '').toEqual(first);

  // A results file with weights, imported into a lab that never ran them (a new context: no archive), continues
  // the same text: the weights went through the file bit for bit.
  await page.getByRole('checkbox', { name: /with weights/ }).check();
  const saved = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const file = await (await saved).path();
  await expect(page.getByText(`Exported ${RUNS.length} of ${RUNS.length} runs with weights`)).toBeVisible();
  const other = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await other.goto(page.url());
  await expect(other.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await other.getByLabel('Import results (JSON)').setInputFiles(file);
  await expect(other.getByText(`${RUNS.length} carried weights`)).toBeVisible({ timeout: 30_000 });
  const imported = other.getByRole('region', { name: 'Continue the text' });
  await setUp(imported);
  await imported.getByRole('button', { name: `Continue with all ${RUNS.length} runs` }).click();
  await expect(imported.locator('.speak-run h3')).toHaveCount(RUNS.length, { timeout: 90_000 });
  await expect.poll(() => continuations(other), { timeout: 90_000 }).toEqual(first);
  expect(problems).toEqual([]);
});
