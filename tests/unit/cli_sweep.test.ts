// Sweeps from the command line (issue 13), as a user runs them: a tiny
// sweep in 3 shards through GNU parallel (scripts/sweep.sh) merged by `npm run
// merge` equals the same sweep run unsharded, number for number; a shard
// killed after its first run and started again completes the sweep with
// nothing lost and nothing run twice; and the merge's refusals (one line,
// exit 2, nothing written) and its list of missing shards with their commands.
// Each CLI process starts Vite and headless Chromium: the configs are tiny.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseResults, type ResultsDoc } from '../../src/eval/results';
import { withoutTimings } from '../../src/experiment/sweep';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Result = { code: number | null; stdout: string; stderr: string };
function run(cmd: string, args: string[], onSpawn?: (pid: number) => void): Promise<Result> {
  return new Promise((done) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    if (onSpawn && p.pid) onSpawn(p.pid);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}
const experiment = (args: string[], onSpawn?: (pid: number) => void) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/experiment.ts', ...args], onSpawn);
const merge = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/merge.ts', ...args]);
const read = (f: string): ResultsDoc[] =>
  (JSON.parse(readFileSync(f, 'utf8')) as unknown[]).map((d) => parseResults(d));

// Seconds per run on the software adapter: one layer, width 16, T = 8, 8 steps, two lengths, two windows.
const TINY = '--steps 8 --batch 2 --seq-len 8 --layers 1 --width 16 --heads 2 --factors 1,2 --windows 2 --set log=4';
// Three runs (softmax, lssa, lssar) x two seeds: six pairs, two per shard.
const SWEEP = ['--preset', 'extrapolation', ...TINY.split(' '), '--seeds', '1,2'];

describe('sweeps on the command line', () => {
  test('--help documents --shard and --plan; --plan prints the sweep id and its cut without running', async () => {
    const help = await experiment(['--help']);
    for (const flag of ['--shard K/N', '--plan']) expect(help.stdout).toContain(`  ${flag} `);
    expect((await merge(['--help'])).stdout).toMatch(/^Usage: npm run merge -- --out FILE\.json IN\.json\.\.\./);
    const plan = await experiment([...SWEEP, '--shard', '2/3', '--plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /^sweep [0-9a-f]{12} 'Extrapolation: softmax vs softplus': 3 runs x 2 seeds = 6 pairs, lab /,
    );
    expect(plan.stdout).toMatch(
      /^in 3 shards \(\* = shard 2\): 1: 2 runs, [\d:]+; 2: 2 runs, [\d:]+; 3: 2 runs, [\d:]+$/m,
    );
    // More shards than runs: the extra shards have none, and say so in an empty results file.
    const empty = join(dir, 'empty.json');
    const none = await experiment([...SWEEP, '--shard', '7/7', '--out', empty]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe(`shard 7/7 has no runs (the sweep has 6); wrote ${empty}\n`);
    expect(JSON.parse(readFileSync(empty, 'utf8'))).toEqual([]);
  }, 60_000);

  const shards = join(dir, 'shards');
  const merged = join(dir, 'merged.json');

  test('a tiny sweep in 3 shards through GNU parallel, merged, equals the same sweep unsharded', async () => {
    const t0 = Date.now();
    const sweep = await run('bash', ['scripts/sweep.sh', '-n', '3', '-d', shards, '-o', merged, '--', ...SWEEP]);
    const sharded = (Date.now() - t0) / 1000;
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stdout).toMatch(/^merged 6 of 6 runs of sweep [0-9a-f]{12} 'Extrapolation: softmax vs softplus'/m);
    for (const k of [1, 2, 3]) expect(read(join(shards, `shard-${k}-of-3.json`))).toHaveLength(2);

    const whole = join(dir, 'whole.json');
    const t1 = Date.now();
    const one = await experiment([...SWEEP, '--out', whole]);
    const unsharded = (Date.now() - t1) / 1000;
    expect(one.code, one.stderr).toBe(0);
    console.log(
      `tiny sweep (6 runs): 3 shards through parallel ${sharded.toFixed(0)} s, unsharded ${unsharded.toFixed(0)} s`,
    );

    const a = read(merged);
    const b = read(whole);
    expect(a.map((d) => [d.label, d.seed])).toEqual([
      ['softmax', 1],
      ['softmax', 2],
      ['lssa', 1],
      ['lssa', 2],
      ['lssar (p = 15)', 1],
      ['lssar (p = 15)', 2],
    ]);
    expect(a.map((d) => d.sweep!.id)).toEqual(b.map((d) => d.sweep!.id));
    expect(new Set(a.map((d) => d.sweep!.shard[0]))).toEqual(new Set([1, 2, 3]));
    // Number for number, timings aside: every loss, curve point, diagnostic and baseline.
    expect(a.map(withoutTimings)).toEqual(b.map(withoutTimings));
    expect(a[0].lossVsLength[0].lengths[1].meanLoss).not.toBe(a[1].lossVsLength[0].lengths[1].meanLoss);
  }, 400_000);

  test('merge refusals: one line, exit 2, nothing written; missing shards are listed with their commands', async () => {
    const shard = (k: number) => join(shards, `shard-${k}-of-3.json`);
    expect(existsSync(shard(1)), 'needs the previous test').toBe(true);
    const out = join(dir, 'refused.json');
    const edited = (name: string, f: (d: ResultsDoc) => unknown) => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(read(shard(3)).map(f)));
      return p;
    };
    const otherSweep = edited('other-sweep.json', (d) => ({
      ...d,
      sweep: { ...d.sweep!, id: 'abcdef012345', name: 'Other class' },
    }));
    const otherLab = edited('other-lab.json', (d) => ({ ...d, engineVersion: '9.9.9' }));
    const untagged = edited('untagged.json', ({ sweep: _s, ...d }) => d);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{"oops": ');
    const cases: [string[], RegExp][] = [
      [
        [shard(1), shard(2), otherSweep],
        /other-sweep\.json is another sweep: 'Other class' \(sweep abcdef012345\), not 'Extrapolation: .*' \(sweep/,
      ],
      [
        [shard(1), otherLab],
        /other-lab\.json was made by lab 9\.9\.9, .*shard-1-of-3\.json by lab [\d.]+: merge results of one lab version/,
      ],
      [
        [shard(1), shard(2), shard(1)],
        /^merge: run \d\/6 .* \(seed \d\) is in both .*shard-1-of-3\.json and .*shard-1-of-3\.json/,
      ],
      [[shard(1), untagged], /untagged\.json: run 1 \(.*\) is not part of a sweep/],
      [[shard(1), notJson], /not\.json: not valid JSON/],
      [[join(dir, 'absent.json')], /absent\.json: cannot read it \(ENOENT\)/],
    ];
    for (const [inputs, message] of cases) {
      const r = await merge(['--out', out, ...inputs]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(out)).toBe(false);

    // Shard 2 lost: the merge names its runs and the command that runs it: shard 2's own.
    const r = await merge(['--out', out, shard(3), shard(1)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^merge: 2 of the 6 runs of sweep [0-9a-f]{12} 'Extrapolation: softmax vs softplus' are missing:/,
    );
    const two = read(shard(2));
    expect(r.stderr).toContain(
      `  shard 2/3: ${two.map((d) => `run ${d.sweep!.pair + 1}/6 ${d.label} (seed ${d.seed})`).join(', ')}`,
    );
    const command = r.stderr.split('\n').find((l) => l.startsWith('    npm run experiment -- '))!;
    expect(command.trim().split(' ').slice(4)).toEqual(two[0].sweep!.command);
    expect(existsSync(out)).toBe(false);
    // --partial writes what there is; the missing shard's file completes it.
    expect((await merge(['--out', out, '--partial', shard(3), shard(1)])).code).toBe(0);
    expect(read(out)).toHaveLength(4);
    expect((await merge(['--out', out, out, shard(2)])).code).toBe(0);
    expect(read(out).map(withoutTimings)).toEqual(read(merged).map(withoutTimings));
  }, 120_000);

  test('a shard killed after its first run, started again, completes: nothing lost, nothing run twice', async () => {
    // Three runs of 40 steps: seconds each, so the kill lands between the first run and the last.
    const args = ['--preset', 'extrapolation', ...TINY.replace('--steps 8', '--steps 40').split(' '), '--shard', '1/1'];
    const out = join(dir, 'killed.json');
    let pid = 0;
    const first = experiment([...args, '--out', out], (p) => (pid = p));
    const deadline = Date.now() + 240_000;
    while (!existsSync(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(out)).toBe(true);
    process.kill(pid, 'SIGKILL');
    const killed = await first;
    expect(killed.code).toBeNull(); // killed, not finished
    const kept = read(out); // a valid file: written by rename
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(3);

    const again = await experiment([...args, '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    const skipped = again.stderr.match(/^skipping run \d\/3 .*: already in .*$/gm) ?? [];
    const ran = again.stderr.match(/^run \d\/3 .* done in /gm) ?? [];
    expect(skipped).toHaveLength(kept.length);
    expect(skipped.length + ran.length).toBe(3);
    const docs = read(out);
    expect(docs.map((d) => d.sweep!.pair)).toEqual([0, 1, 2]);
    // The runs kept were not run again: the same documents, to the timestamp.
    expect(docs.slice(0, kept.length)).toEqual(kept);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 400_000);
});
