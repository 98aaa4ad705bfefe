// Issue 15, everyone in the room: the whole flow with the keyboard alone. Pick
// a preset from its card, shrink it, run it, read its numbers in words under
// the answer figure, and copy its link; no mouse event is sent.
import { expect, type Page, test } from '@playwright/test';
import { watch } from './lab_page';

test.use({ viewport: { width: 1366, height: 768 } });

/** The focused element's name and, after a bar, what describes it (a card's title). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a) return '';
    const name = (a.getAttribute('aria-label') ?? a.textContent ?? '').trim();
    const by = a.getAttribute('aria-describedby');
    const desc = by ? (document.getElementById(by)?.textContent ?? '') : '';
    return `${name} | ${desc}`;
  });

/** Presses Tab (or Shift+Tab) until the focused element matches `name`; fails after `max` presses. */
async function tabTo(page: Page, name: RegExp, back = false, max = 400): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (name.test(f)) return;
    seen.push(f);
  }
  throw new Error(`no focusable element named ${name} within ${max} presses; last: ${seen.slice(-5).join(' / ')}`);
}

test('keyboard only: pick a preset, shrink it, run it, read the numbers, copy its link', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = watch(page);
  await page.goto('/');
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });

  await tabTo(page, /^Edit first \| Extrapolation: softmax vs softplus$/);
  await page.keyboard.press('Enter');
  // "Edit first" opens "Build your own" and moves the focus there.
  await expect(page.locator('.build-own > summary')).toBeFocused();
  await expect(page.getByLabel('Run 3 label')).toHaveValue('lssar (p = 15)');
  await tabTo(page, /^Shrink for a quick try/);
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
  await tabTo(page, /^Run experiment/, true);
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-status="done"]')).toHaveCount(3, { timeout: 240_000 });

  // The numbers: the answer figure in words, unfolded with Enter on its summary.
  await tabTo(page, /^In words/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('plot-answer').locator('details.plot-alt p')).toBeVisible();
  await expect(page.getByTestId('plot-answer').locator('details.plot-alt p')).toContainText(/\d\.\d{3}/);

  await tabTo(page, /^Copy link \|/, true);
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Share link')).toHaveValue(/steps=20/);
  expect(problems).toEqual([]);
});
