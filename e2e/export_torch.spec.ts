// "Export as PyTorch" on a finished run in the lab (issue 16): the button re-runs the run with the export on and
// downloads a zip; the folder in it must verify against the lab's own numbers in Debian's PyTorch (`--verify`:
// every length's loss within 1e-4 relative, and `--check`: gradients at init and the first training losses).
// Without PyTorch the zip's contents are still checked; CI (.ci/run) installs it and sets TORCH_EXPORT_REQUIRED.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { TINY, watch } from './lab_page';

const PYTHON = process.env.TORCH_PYTHON || '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

test('a finished run exports as a PyTorch folder that verifies against the lab', async ({ page }) => {
  test.skip(!hasTorch && !process.env.TORCH_EXPORT_REQUIRED, `${PYTHON} has no PyTorch`);
  const problems = watch(page);
  await page.goto(`/?${TINY}&x=Export+test&run=label:lssar,mech:lssar`);
  await page.getByRole('button', { name: 'Run experiment' }).click({ timeout: 30_000 });
  await expect(page.locator('[data-status="done"]')).toHaveCount(1, { timeout: 120_000 });

  const download = page.waitForEvent('download', { timeout: 180_000 });
  await page.getByRole('button', { name: 'Export as PyTorch: lssar' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('lssar-pytorch.zip');
  const dir = mkdtempSync(join(tmpdir(), 'lab-export-'));
  try {
    const zip = join(dir, 'run.zip');
    await file.saveAs(zip);
    const unzip = spawnSync(PYTHON, ['-m', 'zipfile', '-e', zip, join(dir, 'run')], { encoding: 'utf8' });
    expect(unzip.status, unzip.stderr).toBe(0);
    const root = join(dir, 'run');
    const top = readdirSync(root);
    const folder = top.includes('model.py') ? root : join(root, top[0]);
    for (const f of ['model.py', 'train.py', 'lab_data.py', 'weights.safetensors', 'config.json', 'README.md'])
      expect(readdirSync(folder)).toContain(f);
    // The lab's stored run and the re-run agree (the button says so when they do not).
    await expect(page.getByText(/re-run’s losses differ/)).toHaveCount(0);
    const py = spawnSync(PYTHON, ['train.py', '--verify', '--check'], { cwd: folder, encoding: 'utf8' });
    expect(py.status, `${py.stdout}\n${py.stderr}`).toBe(0);
    expect(py.stdout).toMatch(/verify: ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(problems).toEqual([]);
});
