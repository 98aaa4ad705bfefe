// Live evaluation in the lab: a tiny run (12 steps) with a live evaluation every 4 steps
// leaves a history the step slider replays under the loss-against-length plot
// ("live, step N" drawn); at "now" the final evaluation stands alone.
import { expect, test } from '@playwright/test';
import { TINY, watch } from './lab_page';

test('the step slider replays the live evaluations; at "now" the final evaluation replaces them', async ({ page }) => {
  const problems = watch(page);
  await page.goto(`/?${TINY.replace('steps=20', 'steps=12')}&live=4&x=Live+test&run=label:softmax,mech:softmax`);
  await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Run experiment' }).click();
  await expect(page.locator('[data-status="done"]')).toHaveCount(1, { timeout: 120_000 });
  const plot = page.getByTestId('plot-loss-vs-length').locator('svg');
  const slider = page.getByRole('slider', { name: /Replay the live evaluation/ });
  // Steps 4 and 8 (none after the last step, 12), then "now".
  await expect(slider).toHaveAttribute('max', '2');
  await expect(slider).toHaveAttribute('aria-valuetext', 'now');
  await expect(plot).not.toContainText('live, step');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(slider).toHaveAttribute('aria-valuetext', 'step 4');
  await expect(plot).toContainText('live, step 4');
  await page.keyboard.press('ArrowRight');
  await expect(plot).toContainText('live, step 8');
  await page.keyboard.press('End');
  await expect(plot).not.toContainText('live, step');
  expect(problems).toEqual([]);
});
