// The headless runner's part of a sweep (src/experiment/sweep.ts): which
// pairs of the grid this command runs (all of them, or shard K of N), what
// --out already holds of them (a shard started again skips those), the tag
// each results document gets, and the --plan listing. Problems are
// UsageErrors naming them.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseResults, type ResultsDoc } from '../src/eval/results';
import {
  makeSweep,
  pairName,
  parseShard,
  planShards,
  type Sweep,
  type SweepTag,
  sweepTag,
  textDigest,
} from '../src/experiment/sweep';
import { type Flags, UsageError } from './args';
import type { BuiltExperiment } from './experiment_from_flags';
import { duration } from './progress';

export interface ShardJob {
  sweep: Sweep;
  /** [K, N]: [1, 1] without --shard. */
  shard: [number, number];
  /** The shard of every pair under N. */
  plan: number[];
  /** The pairs this shard owns, in grid order. */
  mine: number[];
  /** What --out already holds of them (with --shard), in grid order. */
  kept: ResultsDoc[];
  /** The pairs still to run, in grid order. */
  todo: number[];
  /** With --shard: every finished run goes to --out at once, and a new start skips what is there. */
  resumable: boolean;
  /** The tag of each pair's results document. */
  tag(index: number): SweepTag;
}

const oneLine = (e: unknown) => String(e instanceof Error ? e.message : e).split('\n')[0];

/**
 * The sweep of the built experiment and the part of it this command runs.
 * `argv`: the command line as given, recorded in every document so a merge
 * can print the command that runs a missing shard.
 */
export function shardJob(built: BuiltExperiment, o: Flags, out: string, text: string | null, argv: string[]): ShardJob {
  const sweep = makeSweep(built.experiment, built.seeds, { textDigest: text === null ? null : textDigest(text) });
  let shard: [number, number] = [1, 1];
  if (o.shard !== undefined) {
    const s = parseShard(o.shard);
    if (!s) throw new UsageError(`--shard ${o.shard}: K must be 1 to N, and N at most 512`);
    shard = s;
  }
  const plan = planShards(
    sweep.pairs.map((p) => p.cost),
    shard[1],
  );
  const mine = sweep.pairs.map((p) => p.index).filter((i) => plan[i] === shard[0]);
  const resumable = o.shard !== undefined;
  // --plan runs nothing, so what --out holds does not matter to it.
  const kept = resumable && !o.plan && existsSync(out) ? keptRuns(out, sweep, new Set(mine), shard) : [];
  const done = new Set(kept.map((d) => d.sweep!.pair));
  return {
    sweep,
    shard,
    plan,
    mine,
    kept,
    todo: mine.filter((i) => !done.has(i)),
    resumable,
    tag: (i) => sweepTag(sweep, i, shard, plan, argv),
  };
}

/** The runs --out already holds: each must be a pair of this shard of this sweep, once. */
function keptRuns(out: string, sweep: Sweep, mine: Set<number>, shard: [number, number]): ResultsDoc[] {
  const where = `--out ${out}`;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(out, 'utf8'));
  } catch (e) {
    throw new UsageError(`${where} exists and is not a results file (${oneLine(e)}): choose another file or remove it`);
  }
  const docs: ResultsDoc[] = [];
  for (const [i, v] of (Array.isArray(value) ? value : [value]).entries()) {
    let d: ResultsDoc;
    try {
      d = parseResults(v);
    } catch (e) {
      throw new UsageError(
        `${where} exists and its run ${i + 1} is no results document (${oneLine(e)}): choose another file or remove it`,
      );
    }
    const t = d.sweep;
    if (!t || t.id !== sweep.id)
      throw new UsageError(
        `${where} holds results of ${t ? `another sweep, '${t.name}' (sweep ${t.id})` : 'no sweep'}, ` +
          `not of this one ('${sweep.name}', sweep ${sweep.id}): choose another file or remove it`,
      );
    if (!mine.has(t.pair))
      throw new UsageError(
        `${where} holds ${pairName(t, t.pair)}, which is not in shard ${shard.join('/')}: ` +
          'a shard resumes into its own file only',
      );
    if (docs.some((x) => x.sweep!.pair === t.pair)) throw new UsageError(`${where} holds ${pairName(t, t.pair)} twice`);
    docs.push(d);
  }
  return docs.sort((a, b) => a.sweep!.pair - b.sweep!.pair);
}

/**
 * Removes temp files a killed runner left beside `out` (`.NAME.tmp-PID.json`,
 * see scripts/experiment.ts) whose process is gone.
 */
export function dropStaleTemps(out: string): void {
  const dir = dirname(out);
  const prefix = `.${basename(out)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)/.exec(name.slice(prefix.length))?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(dir, name), { force: true });
    }
  }
}

/** `--plan`: the sweep's id, its grid with estimated costs, and (with --shard) the cut. */
export function planText(job: ShardJob): string {
  const { sweep, shard, plan } = job;
  const [k, n] = shard;
  const P = sweep.pairs.length;
  const seeds = sweep.seeds ? `${sweep.seeds.length} seed${sweep.seeds.length === 1 ? '' : 's'}` : 'their own seeds';
  const lines = [
    `sweep ${sweep.id} '${sweep.name}': ${sweep.labels.length} run${sweep.labels.length === 1 ? '' : 's'} x ${seeds}` +
      ` = ${P} pair${P === 1 ? '' : 's'}, lab ${sweep.version}`,
  ];
  const rows = sweep.pairs.map((p) => [
    String(p.index + 1),
    String(p.run + 1),
    String(p.seed),
    duration(p.cost),
    ...(n > 1 ? [`${plan[p.index]}${plan[p.index] === k ? ' *' : ''}`] : []),
    p.config.label,
  ]);
  const head = ['pair', 'run', 'seed', 'est.', ...(n > 1 ? ['shard'] : []), 'label'];
  const table = [head, ...rows];
  const w = head.map((_, j) => Math.max(...table.map((r) => r[j].length)));
  for (const r of table)
    lines.push(
      r
        .map((c, j) => (j === r.length - 1 ? c : j < 3 ? c.padStart(w[j]) : c.padEnd(w[j])))
        .join('  ')
        .trimEnd(),
    );
  const total = sweep.pairs.reduce((a, p) => a + p.cost, 0);
  lines.push(`estimated ${duration(total)} on one machine with a software adapter (a rough guide: calibrate by a run)`);
  if (n > 1) {
    const parts = Array.from({ length: n }, (_, j) => {
      const ids = sweep.pairs.filter((p) => plan[p.index] === j + 1);
      const cost = ids.reduce((a, p) => a + p.cost, 0);
      return `${j + 1}: ${ids.length} run${ids.length === 1 ? '' : 's'}, ${duration(cost)}`;
    });
    lines.push(`in ${n} shards (* = shard ${k}): ${parts.join('; ')}`);
  }
  return lines.join('\n');
}
