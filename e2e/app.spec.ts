import { expect, test } from '@playwright/test';

test('the lab opens with the default experiment and trains it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Attention Lab' })).toBeVisible();
  await expect(page.getByText(/Default experiment: a 4-layer, width-64, 4-head/)).toBeVisible();
  await page.getByLabel('Steps').fill('3');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('status')).toContainText(/done — validation loss at T: \d+\.\d+/, { timeout: 120_000 });
  const rows = page.locator('tbody tr');
  await expect(rows).not.toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/app-after-run.png', fullPage: true });
  expect(errors).toEqual([]);
});
