// Issue 15, everyone in the room: two tabs of the lab on one machine. The
// first tab holds the queue's lock and runs every run, the runs queued in the
// second tab included; the second shows them live. Each tab's engine records
// the runs it starts (the worker's "start" commands): every run starts once,
// in one tab, one at a time. When the first tab closes, the second takes the
// queue over.
import { expect, type Page, test } from '@playwright/test';
import { TINY, watch } from './lab_page';

/** In the page: the runs its engine was told to start, and the most queue items seen running at once. */
function recordStarts(page: Page) {
  return page.addInitScript(() => {
    const w = window as unknown as { __starts: string[]; __maxActive: number };
    w.__starts = [];
    w.__maxActive = 0;
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, m: unknown, ...rest: never[]) {
      if ((m as { type?: string })?.type === 'start') w.__starts.push((m as { runId: string }).runId);
      return post.call(this, m, ...rest);
    } as typeof post;
    setInterval(() => {
      const n = document.querySelectorAll('[data-status="running"], [data-status="paused"]').length;
      w.__maxActive = Math.max(w.__maxActive, n);
    }, 20);
  });
}
const seen = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __starts: string[]; __maxActive: number };
    return { starts: w.__starts, maxActive: w.__maxActive };
  });

test('two tabs: one runs the queue, the other shows it live; every run runs once', async ({ context }) => {
  // Generous: two short runs and one tiny one, on a software adapter that other work may share.
  test.setTimeout(480_000);
  const [a, b] = [await context.newPage(), await context.newPage()];
  const problems = [...watch(a), ...watch(b)];
  await Promise.all([recordStarts(a), recordStarts(b)]);
  await a.goto(`/?${TINY.replace('steps=20', 'steps=60')}&x=Tab+A`);
  await expect(a.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
  await b.goto(`/?${TINY}&x=Tab+B`);
  await expect(b.getByText('The lab is open in another tab, which runs the queue')).toBeVisible({ timeout: 30_000 });
  await expect(b.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });

  // A run queued in A; B shows it training, live.
  await a.getByRole('button', { name: 'Run experiment' }).click();
  await expect(b.getByTestId('progress-text')).toContainText(/step \d+\/60/, { timeout: 180_000 });
  // A run queued in B (while A's trains) runs in A, after it.
  await b.getByRole('button', { name: 'Run experiment' }).click();
  for (const page of [a, b]) {
    await expect(page.locator('[data-status="done"]')).toHaveCount(2, { timeout: 180_000 });
    await expect(page.locator('.queue-item')).toHaveCount(2);
  }
  const [sa, sb] = [await seen(a), await seen(b)];
  expect(sa.starts).toHaveLength(2);
  expect(new Set(sa.starts).size).toBe(2);
  expect(sb.starts).toEqual([]);
  expect(sa.maxActive).toBe(1);
  expect(sb.maxActive).toBe(1);
  // Both tabs plot both runs' results.
  for (const page of [a, b])
    await expect(page.getByTestId('plot-loss-vs-length').locator('table tbody tr')).toHaveCount(2);

  // A closes: B takes the queue over and runs what is queued there.
  await a.close();
  await expect(b.getByText('This tab now runs the queue')).toBeVisible({ timeout: 30_000 });
  await b.getByRole('button', { name: 'Run experiment' }).click();
  await expect(b.locator('[data-status="done"]')).toHaveCount(3, { timeout: 180_000 });
  const after = await seen(b);
  expect(after.starts).toHaveLength(1);
  expect(sa.starts).not.toContain(after.starts[0]);
  expect(problems).toEqual([]);
});
