// What several end-to-end specs share: the tiny experiment they run and how
// they watch a page for errors and read its plots.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';

/** A tiny run: 20 steps, batch 4, T = 16, 2 layers, width 32, factors 1 2 4. */
export const TINY = 'v=1&L=2&H=2&C=32&steps=20&B=4&T=16&wu=2&log=5&ev=10&fx=1%2B2%2B4&ew=4&eb=8';

/** Collects page errors, console errors and Content-Security-Policy reports. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text()))
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  return problems;
}

/** The lines of a plot, by its test id. */
export const linesIn = (page: Page, testId = 'plot-loss-vs-length') =>
  page.locator(`[data-testid="${testId}"] svg g[aria-label="line"] path`);

/** The legend that names every run in the plots. */
export const legend = (page: Page) => page.getByRole('list', { name: 'Runs in the plots' });

/** A preset's card on the first screen, by its title (a string matches the whole title). */
export const presetCard = (page: Page, title: string | RegExp): Locator =>
  page.getByRole('article', { name: title, exact: typeof title === 'string' });

/** Loads a preset into "Build your own" (its card's "Edit first"), which opens the builder. */
export async function loadPreset(page: Page, title: string | RegExp): Promise<void> {
  await presetCard(page, title).getByRole('button', { name: 'Edit first' }).click();
}

export interface LongTask {
  start: number;
  duration: number;
}

/** Records the page's main-thread long tasks (over 50 ms) from its first paint on, on every load. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __long: { start: number; duration: number }[] };
    w.__long = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__long.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The long tasks recorded since the page loaded (recordLongTasks). */
export const longTasks = (page: Page): Promise<LongTask[]> =>
  page.evaluate(() => (window as unknown as { __long: { start: number; duration: number }[] }).__long);

/**
 * Every plot of the page has its numbers as a table (its text alternative): each figure's "As a table" fold-out,
 * opened, holds a captioned table with a header per column and per row. Returns the figures that do not, named.
 */
export async function plotsWithoutTable(page: Page): Promise<string[]> {
  const figures = page.locator('figure.plot');
  const bad: string[] = [];
  for (let i = 0; i < (await figures.count()); i++) {
    const f = figures.nth(i);
    const name = (await f.getAttribute('data-testid')) ?? `figure ${i + 1}`;
    const fold = f.locator('details.plot-table');
    if ((await fold.count()) !== 1) {
      bad.push(`${name}: no "As a table"`);
      continue;
    }
    await fold.locator('summary').click();
    const table = fold.getByRole('table');
    if ((await table.count()) !== 1) {
      bad.push(`${name}: no table`);
      continue;
    }
    const caption = (await table.locator('caption').textContent())?.trim() ?? '';
    const cols = await table.locator('thead th[scope="col"]').count();
    const rows = await table.locator('tbody th[scope="row"]').count();
    if (!caption || cols < 2 || rows < 1) bad.push(`${name}: caption "${caption}", ${cols} columns, ${rows} rows`);
  }
  return bad;
}

/** axe's serious and critical findings inside the elements `selectors` name, one line each. */
export async function seriousIn(page: Page, selectors: readonly string[]): Promise<string[]> {
  const axe = selectors.reduce((a, s) => a.include(s), new AxeBuilder({ page }));
  const r = await axe.analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}
