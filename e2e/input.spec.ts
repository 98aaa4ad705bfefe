// Issue 7: the user's own corpus — a file in the wrong encoding and a text too
// short to evaluate are each a clear message, before any training.
import { expect, test } from '@playwright/test';

test('a non-UTF-8 file is refused with its reason; a too-short text fails before training, naming the need', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?v=1&data=text&L=2&H=2&C=32&steps=5&B=2&T=16&wu=1&fx=1%2B2&ew=2');
  const file = page.getByLabel('Choose a text file');
  await file.setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from([0x61, 0x62, 0xe9, 0x63]),
  });
  await expect(page.getByText('That file was not loaded')).toBeVisible();
  await expect(page.getByText(/notes\.txt is not UTF-8 text \(invalid byte at offset 2\)/)).toBeVisible();

  await file.setInputFiles({
    name: 'short.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('too short to evaluate at 2x'),
  });
  await expect(page.getByText(/27 characters/)).toHaveCount(1); // the Data group may be folded
  await page.getByRole('button', { name: 'Run experiment' }).click({ timeout: 30_000 });
  const failed = page.locator('[data-status="error"]');
  await expect(failed).toHaveCount(1, { timeout: 60_000 });
  await expect(failed).toContainText(/too short|at least/i);
  await expect(failed).not.toContainText(/step [1-9]/); // nothing trained
  expect(errors).toEqual([]);
});
