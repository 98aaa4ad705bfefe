// Issue 18: a laptop serving the lab on the classroom network. Students open
// it at http://LAPTOP:PORT/, an address that is neither https nor their own
// computer, so the browser gives the page no WebGPU (and no service worker).
// The lab must say why and what to do; and the Chrome setting docs/DEPLOY.md
// gives (treat that one origin as secure) must be enough to train there.
// The laptop's name is faked: Chromium resolves lab.classroom to 127.0.0.1.
import { type Browser, type BrowserType, expect, test } from '@playwright/test';
// @ts-expect-error plain .mjs helper shared with the Node scripts
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs';
import { type LabServer, serveBuild } from './serve';

const HOST = 'lab.classroom';
const TINY = 'v=1&L=2&H=2&C=32&steps=6&B=4&T=16&wu=1&log=2&ev=0&fx=1%2B2&ew=2&eb=4&x=Classroom';

let lab: LabServer;
test.beforeAll(async () => {
  lab = await serveBuild('/', HOST);
});
test.afterAll(async () => {
  await lab?.close();
});

const launch = (browserType: BrowserType, extra: string[]): Promise<Browser> =>
  browserType.launch({
    executablePath: findChromium() ?? undefined,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`, ...extra],
  });

test('plain http from another computer: the lab says why it cannot train; the documented flag fixes it', async ({
  playwright,
}) => {
  const browserType = playwright.chromium;
  const plain = await launch(browserType, []);
  try {
    const page = await plain.newPage();
    await page.goto(`${lab.url}?${TINY}`);
    await expect(page.getByRole('heading', { name: /WebGPU is not available/ })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/opened over plain http from another computer/)).toBeVisible();
    await expect(page.getByText(/docs\/DEPLOY\.md/)).toBeVisible();
  } finally {
    await plain.close();
  }

  // chrome://flags/#unsafely-treat-insecure-origin-as-secure, as a command-line switch.
  const flagged = await launch(browserType, [`--unsafely-treat-insecure-origin-as-secure=http://${HOST}:${lab.port}`]);
  try {
    const page = await flagged.newPage();
    await page.goto(`${lab.url}?${TINY}`);
    await expect(page.getByText(/GPU:/)).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Run experiment' }).click();
    await expect(page.locator('[data-status="done"]')).toHaveCount(1, { timeout: 60_000 });
    // The offline copy works there too.
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 60_000 });
  } finally {
    await flagged.close();
  }
});
