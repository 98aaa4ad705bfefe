// Issue 7: the GPU device is lost mid-run (device.destroy(), as a driver
// reset would). The lab must say so, keep the run's progress, mark it
// interrupted (never a frozen progress bar), and run again on a new device.
import { expect, test } from '@playwright/test';

// Long enough that the run cannot finish before the test destroys its device (400 steps took about 3 s here).
const LONG_TINY = 'v=1&L=2&H=2&C=32&steps=20000&B=4&T=16&wu=2&log=2&ev=0&fx=1%2B2&ew=2&eb=4&x=Device+loss';

test('a device lost mid-run marks the run interrupted with its progress, and a re-run works on a new device', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Test instrumentation only: remember every device the page creates (main-thread engine).
  await page.addInitScript(() => {
    const w = window as unknown as { __devices: GPUDevice[] };
    w.__devices = [];
    const request = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, d?: GPUDeviceDescriptor) {
      const device = await request.call(this, d);
      w.__devices.push(device);
      return device;
    };
  });
  await page.goto(`/?${LONG_TINY}&engine=main`);
  await expect(page.getByText(/GPU: .*\(main thread\)/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Run experiment' }).click();
  const progress = page.getByTestId('progress-text').first();
  await expect(progress).toContainText(/step \d+\/20000/, { timeout: 60_000 });
  await page.evaluate(() => {
    for (const d of (window as unknown as { __devices: GPUDevice[] }).__devices) d.destroy();
  });
  const item = page.locator('[data-status="interrupted"]');
  await expect(item).toHaveCount(1, { timeout: 30_000 });
  await expect(item).toContainText(/device/i);
  await expect(item).toContainText(/step \d+/);

  // Re-run: the lab requests a fresh device and training moves again.
  await page
    .getByRole('button', { name: /^Re-run/ })
    .first()
    .click();
  await expect(page.getByTestId('progress-text').first()).toContainText(/step \d+\/20000/, { timeout: 60_000 });
  expect(
    await page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.length),
  ).toBeGreaterThanOrEqual(2);
  expect(errors).toEqual([]);
});
