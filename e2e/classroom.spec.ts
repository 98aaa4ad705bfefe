// A class as a cluster (issue 13): a teacher makes a sweep link in the Share
// panel; three students (three browser contexts) each run one seat of a tiny
// sweep and copy their seat's results link; the teacher's classroom view
// merges the three links into the same result one machine gets running the
// whole sweep (the plot, and number for number); it lists missing seats and
// refuses a link of another sweep by name.
import { type Browser, expect, type Page, test } from '@playwright/test';
import { pastedParams } from '../app/export';
import { labLink } from '../src/experiment/lab_address';
import { sealLink } from '../src/experiment/link_check';
import { readLinkResults } from '../src/experiment/results_link';
import { mergeSweep, withoutTimings } from '../src/experiment/sweep';
import { compressText, decodeExperiment } from '../src/experiment/url';

// Two runs (softmax, lssa) of a tiny model: 1 layer, width 16, T = 8, 8 steps, lengths 1x and 2x.
const TINY = 'v=1&L=1&H=2&C=16&steps=8&B=2&T=8&wu=0&log=4&ev=0&fx=1%2B2&ew=2&eb=4';
const EXPERIMENT = `/?${TINY}&x=Tiny+sweep&run=label:softmax,mech:softmax&run=label:lssa,mech:lssa`;

function watch(page: Page) {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  return problems;
}

/** The sweep link naming a seat: sealed again, as the lab would make it (a hand-edited link is refused). */
function withSeat(link: string, seat: number): string {
  const u = new URL(link);
  const q = new URLSearchParams(u.search);
  q.set('seat', String(seat));
  return labLink(u, sealLink(q));
}

/** A student in a browser of their own: opens the sweep link, runs a seat, and returns the seat's results link. */
async function student(browser: Browser, link: string, seat: number | 'all', pick: boolean, problems: string[]) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  problems.push(...watch(page));
  await page.goto(pick || seat === 'all' ? link : withSeat(link, seat));
  const panel = page.getByRole('region', { name: 'Classroom sweep' });
  // Four browsers load the lab at once on a busy machine: allow for a slow first load.
  await expect(panel).toContainText('Tiny sweep', { timeout: 60_000 });
  if (pick || seat === 'all') await page.getByLabel('Your seat', { exact: true }).selectOption(String(seat));
  await expect(page.getByLabel('Your seat', { exact: true })).toHaveValue(String(seat));
  const runs = seat === 'all' ? 4 : seat === 1 ? 2 : 1;
  await expect(page.getByTestId('seat-runs')).toContainText(`runs ${runs} run`);
  const name = seat === 'all' ? 'Run the whole sweep' : `Run seat ${seat}`;
  await page.getByRole('button', { name }).click({ timeout: 60_000 });
  // A hang detector: four browsers train at once here, and on two loaded cores (a CI run beside other work)
  // the seats took over 240 s; the test's own limit is 900 s.
  await expect(page.locator('[data-status="done"]')).toHaveCount(runs, { timeout: 480_000 });
  await expect(panel.getByRole('status')).toHaveText(`${runs} of ${runs} done`);
  await page.getByRole('button', { name: 'Copy seat results link' }).click();
  await expect(page.getByLabel('Seat results link', { exact: true })).toHaveValue(/res=/, { timeout: 30_000 });
  const out = await page.getByLabel('Seat results link', { exact: true }).inputValue();
  await ctx.close();
  return out;
}

// The merged plot's lines (means) and areas (min..max bands over seeds).
const paths = (page: Page) =>
  page.locator(['line', 'area'].map((g) => `[data-testid="plot-sweep"] svg g[aria-label="${g}"] path`).join(', '));

async function compare(page: Page, links: string[]) {
  await page.getByLabel(/Paste result links/).fill(links.join('\n'));
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
}

test('three seats of a tiny sweep, merged in the classroom view, equal one machine running it', async ({
  page,
  browser,
}) => {
  test.setTimeout(900_000);
  const problems = watch(page);
  await page.goto(EXPERIMENT);
  await page.getByText('Teacher: make a student link').click();
  await page.getByLabel('Seeds', { exact: true }).fill('1, 2');
  await page.getByLabel('Seats', { exact: true }).fill('3');
  await expect(page.getByTestId('sweep-plan')).toContainText('4 runs over 3 seats (seat 1: 2, seat 2: 1, seat 3: 1)');
  await page.getByRole('button', { name: 'Copy sweep link' }).click();
  const link = await page.getByLabel('Sweep link', { exact: true }).inputValue();
  expect(link).toMatch(/[?&]seeds=1%2B2&seats=3$/);

  // Seat 1 picks its seat; seats 2 and 3 get theirs from the link. One more browser runs the whole sweep.
  const t0 = Date.now();
  const [one, two, three, whole] = await Promise.all([
    student(browser, link, 1, true, problems),
    student(browser, link, 2, false, problems),
    student(browser, link, 3, false, problems),
    student(browser, link, 'all', true, problems),
  ]);
  console.log(`classroom: three seats and one whole sweep ran in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  expect(new URL(two).hash).toContain('seat=2');

  // The classroom view: the three seats merge into the whole sweep.
  await page.getByText("Classroom: compare students' results").click();
  await compare(page, [three, one, two]);
  await expect(page.getByTestId('sweep-complete')).toHaveText('Complete: all 4 runs of the sweep are in.');
  await expect(page.getByTestId('sweep-merge')).toContainText('4 of 4 runs, from 3 links');
  await expect(page.locator('[data-testid="plot-sweep"] svg g[aria-label="line"] path')).toHaveCount(2);
  const merged = await paths(page).evaluateAll((ps) => ps.map((p) => p.getAttribute('d')));
  await compare(page, [whole]);
  await expect(page.getByTestId('sweep-merge')).toContainText('4 of 4 runs, from 1 link');
  expect(await paths(page).evaluateAll((ps) => ps.map((p) => p.getAttribute('d')))).toEqual(merged);

  // Number for number (timings aside): the seats' documents merged by the same rules, against the whole sweep's.
  const docsOf = async (l: string) => readLinkResults(decodeExperiment(pastedParams(l)).results!);
  const seats = await Promise.all([one, two, three].map(docsOf));
  const m = mergeSweep(seats.map((docs, i) => ({ source: `seat ${i + 1}`, docs })))!;
  expect(m.missing).toEqual([]);
  expect(m.docs.map(withoutTimings)).toEqual((await docsOf(whole)).map(withoutTimings));

  // Seat 3 absent and a link of another sweep pasted instead: refused by name, seat 3 listed as missing.
  const other = (await docsOf(three)).map((d) => ({
    ...d,
    sweep: { ...d.sweep!, id: 'abcdef012345', name: 'Other class' },
  }));
  const otherLink = `${new URL(three).origin}/#v=1&res=${await compressText(JSON.stringify(other))}`;
  await compare(page, [one, two, otherLink]);
  await expect(page.getByRole('alert')).toContainText(
    /link 3 is another sweep: 'Other class' \(sweep abcdef012345\), not 'Tiny sweep' \(sweep [0-9a-f]{12}\) of link 1/,
  );
  await expect(page.getByTestId('sweep-missing')).toContainText('Missing: seat 3 of 3 (run ');
  await expect(page.getByTestId('sweep-merge')).toContainText('3 of 4 runs, from 2 links');
  await page.screenshot({ path: 'test-results/screenshots/classroom-merge.png', fullPage: true });
  expect(problems).toEqual([]);
});
