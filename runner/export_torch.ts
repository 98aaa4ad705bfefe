// --export-torch DIR: where each run's PyTorch export goes (src/export/), checked before anything runs, and
// the writing of the files the runner page hands back. One run: its files in DIR; several: DIR/NN-label/.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunConfig } from '../src/experiment/run_config';
import { runExportProblem } from '../src/export/bundle';
import { UsageError } from './args';
import { userPath } from './outputs';
import type { WireFile } from './run';

/** The export folder (absolute), or null without the flag; a UsageError for a bad path or a run it cannot export. */
export function checkTorchExport(flag: string | undefined, runs: RunConfig[]): string | null {
  if (flag === undefined) return null;
  const dir = userPath(flag);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--export-torch ${dir} is a file`);
  if (!existsSync(dirname(dir)))
    throw new UsageError(`--export-torch ${dir}: the folder ${dirname(dir)} does not exist`);
  for (const [i, r] of runs.entries()) {
    const problem = runExportProblem(r, 2);
    if (problem) throw new UsageError(`--export-torch: run ${i + 1} (${r.label || r.model.mechanism}): ${problem}`);
  }
  return dir;
}

/** Folder of run i of n: DIR itself for one run, else DIR/NN-label. */
export function runFolder(dir: string, i: number, n: number, label: string): string {
  if (n === 1) return dir;
  const slug =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'run';
  return join(dir, `${String(i + 1).padStart(2, '0')}-${slug}`);
}

/** Writes one run's files; returns their total size in bytes. */
export function writeTorchExport(folder: string, files: WireFile[]): number {
  mkdirSync(folder, { recursive: true });
  let bytes = 0;
  for (const f of files) {
    const data = 'text' in f ? f.text : Buffer.from(f.base64, 'base64');
    writeFileSync(join(folder, f.name), data);
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  }
  return bytes;
}
