// Issue 15, everyone in the room: the first screen and the builder at a school
// laptop's 1366x768, a projector's 1920x1080 in large text and a phone's
// 390x844, each a screenshot in test-results/screens/ and none wider than its
// screen (no horizontal scrolling of the page).
import { expect, type Page, test } from '@playwright/test';
import { watch } from './lab_page';

const SIZES = [
  { name: '1366x768', width: 1366, height: 768, large: false },
  { name: '1920x1080-large', width: 1920, height: 1080, large: true },
  { name: '390x844', width: 390, height: 844, large: false },
];

/** How far the page is wider than its window, in CSS pixels (0: no horizontal scrolling). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const s of SIZES) {
  test(`at ${s.name}: the first screen and the builder fit the width; screenshots`, async ({ page }) => {
    const problems = watch(page);
    await page.setViewportSize({ width: s.width, height: s.height });
    await page.goto('/');
    await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
    if (s.large) await page.getByRole('button', { name: 'Large text' }).click();
    await expect(page.getByRole('button', { name: 'Run the quick demo' })).toBeInViewport();
    // The reference pictures load lazily: wait for those in view, so the screenshot shows them.
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `test-results/screens/first-screen-${s.name}.png` });
    expect(await overflow(page), 'first screen').toBeLessThanOrEqual(0);
    await page.locator('.build-own > summary').click();
    await expect(page.getByRole('button', { name: 'Run experiment' })).toBeVisible();
    await page.getByRole('button', { name: 'Run experiment' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/screens/builder-${s.name}.png` });
    expect(await overflow(page), 'builder').toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
  });
}
