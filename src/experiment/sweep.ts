// Sweeps: an experiment times a list of seeds, as a grid of (run, seed)
// pairs in a fixed order (run-major), with an id derived from its content
// (every pair's full config, the lab version, and the user's text when a run
// trains on it). A sweep is cut into N shards by the pairs' estimated cost;
// each finished run's results document carries a tag saying which sweep and
// pair it is and which shard ran it, so shard files from many machines (or
// the seats of a class) merge back into the document a single machine writes.
// One set of rules for the CLI (scripts/experiment.ts, scripts/merge.ts) and
// the lab's classroom view. Pure: no DOM, no Node.
import type { ResultsDoc } from '../eval/results';
import { ENGINE_VERSION } from '../version';
import { type Experiment, resolveRuns, runLabel } from './experiment';
import type { RunConfig } from './run_config';

/** Most pairs in a sweep: 32 runs x 16 seeds. */
export const MAX_PAIRS = 512;

export interface SweepPair {
  /** Position in the grid (0-based). */
  index: number;
  /** The experiment's run (0-based). */
  run: number;
  seed: number;
  /** The full config this pair trains, labelled, with its seed. */
  config: RunConfig;
  /** Estimated cost, in rough seconds on a software adapter (estimateCost). */
  cost: number;
}

export interface Sweep {
  id: string;
  /** The experiment's label. */
  name: string;
  /** The seeds every run is repeated with, or null when each run keeps its own seed. */
  seeds: number[] | null;
  /** One label per run of the experiment. */
  labels: string[];
  pairs: SweepPair[];
  version: string;
}

/**
 * What a results document records of its sweep: the sweep (id, name, its
 * grid), its own pair, and the shard that ran it (with that cut's plan, so a
 * merge can say which shard a missing pair belongs to) and, from the command
 * line, the command that ran it.
 */
export interface SweepTag {
  id: string;
  name: string;
  /** Per run of the experiment. */
  labels: string[];
  /** (run, seed) per pair, in grid order. */
  pairs: [number, number][];
  /** The shard (1-based) of every pair under `shard[1]` shards. */
  plan: number[];
  /** [K, N]: this pair ran in shard K of N (a classroom's seat K of N). */
  shard: [number, number];
  /** This document's pair (index into `pairs`). */
  pair: number;
  /** The command line that ran the shard (arguments after `npm run experiment --`); null in the lab. */
  command: string[] | null;
}

// ---------- the grid ----------

/**
 * Every run of the experiment once per seed, run-major, each a full labelled
 * config. With seeds, a run's own seed override is dropped (the seed is the
 * sweep's). Labels are the experiment's run labels (at most 80 characters),
 * as the command line names its runs. Throws a ConfigError naming a bad run.
 */
export function sweepRuns(e: Experiment, seeds: number[] | null): RunConfig[] {
  const ex: Experiment = seeds
    ? {
        ...e,
        base: { ...e.base, seed: seeds[0] },
        runs: e.runs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'seed'))),
      }
    : e;
  const labelled = resolveRuns(ex).map((r, i) => ({ ...r, label: r.label || runLabel(ex, i).slice(0, 80) }));
  return labelled.flatMap((r) => (seeds ?? [r.seed]).map((seed) => ({ ...r, seed })));
}

/** Options of a sweep beyond the experiment and seeds. */
export interface SweepOptions {
  /** sha256 of the user's text, when a run trains on it (textDigest). */
  textDigest?: string | null;
  /** The lab version (tests only; default ENGINE_VERSION). */
  version?: string;
}

/** The sweep of an experiment and seeds: its grid, costs and id. */
export function makeSweep(e: Experiment, seeds: number[] | null, opts: SweepOptions = {}): Sweep {
  const configs = sweepRuns(e, seeds);
  const perRun = seeds ? seeds.length : 1;
  const pairs = configs.map((config, index) => ({
    index,
    run: Math.floor(index / perRun),
    seed: config.seed,
    config,
    cost: estimateCost(config),
  }));
  const labels = configs.filter((_, i) => i % perRun === 0).map((c) => c.label);
  const version = opts.version ?? ENGINE_VERSION;
  const usesText = configs.some((c) => c.data.source === 'text');
  const id = sweepId(configs, version, usesText ? (opts.textDigest ?? null) : null);
  return { id, name: e.label, seeds, labels, pairs, version };
}

/** The id: the first 12 hex digits of sha256 over the canonical configs, the lab version and the text's digest. */
export function sweepId(configs: readonly RunConfig[], version: string, textDigest: string | null): string {
  return sha256Hex(canonicalJson({ version, configs, text: textDigest })).slice(0, 12);
}

/** The digest textDigest gives a user's text (stands for the text in the sweep id). */
export function textDigest(text: string): string {
  return sha256Hex(text);
}

/** JSON with every object's keys sorted: the same value gives the same text whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

// ---------- cost and shards ----------

/** Rough vocabulary sizes by data source (only for the cost estimate). */
const VOCAB = { brown: 86, text: 96, task: 32 } as const;
/** A software adapter's rough throughput (flop/s) and a run's fixed cost (compiling, loading, seconds). */
const FLOPS_PER_SECOND = 1.5e9;
const RUN_OVERHEAD_SECONDS = 4;

/**
 * A run's estimated cost in rough seconds on a software adapter: forward and
 * backward flops of training, forward flops of every evaluation pass at every
 * length (re-weighting sweeps and hybridskip are passes of their own), and a
 * fixed overhead. Only + and * on doubles, so every machine cuts a sweep the
 * same way.
 */
export function estimateCost(r: RunConfig): number {
  const C = r.model.nEmbd;
  const V = VOCAB[r.data.source];
  const perToken = (T: number) => r.model.nLayer * (8 * C * C + 4 * r.model.mlpRatio * C * C + 2 * T * C) + 2 * C * V;
  const T = r.train.seqLen;
  const train = 3 * r.train.steps * r.train.batchSize * T * perToken(T);
  const passes = 1 + r.eval.reweightSweep.length + (r.eval.hybridskip ? 1 : 0);
  let evaluation = 0;
  for (const f of r.eval.factors) {
    const L = f * T;
    evaluation += (r.eval.windows * passes + r.eval.passkeyTrials) * L * perToken(L);
  }
  return RUN_OVERHEAD_SECONDS + (train + evaluation) / FLOPS_PER_SECOND;
}

/**
 * Cuts pairs of the given costs into n shards (1-based shard per pair):
 * longest first (ties by grid order), each to the least loaded shard (ties to
 * the lowest). Every pair lands in exactly one shard; with n at most the
 * number of pairs, no shard is empty.
 */
export function planShards(costs: readonly number[], n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`shard count ${n} is not a positive integer`);
  const order = costs.map((_, i) => i).sort((a, b) => costs[b] - costs[a] || a - b);
  const load = new Array<number>(n).fill(0);
  const plan = new Array<number>(costs.length).fill(0);
  for (const i of order) {
    let k = 0;
    for (let j = 1; j < n; j++) if (load[j] < load[k]) k = j;
    plan[i] = k + 1;
    load[k] += costs[i];
  }
  return plan;
}

/** `--shard K/N` -> [K, N]; null when it is no shard of at most MAX_PAIRS. */
export function parseShard(s: string): [number, number] | null {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(s.trim());
  if (!m) return null;
  const k = Number(m[1]);
  const n = Number(m[2]);
  return k >= 1 && n >= 1 && k <= n && n <= MAX_PAIRS ? [k, n] : null;
}

/** The tag of pair `index` run by shard k of n (plan: planShards' cut into n). */
export function sweepTag(
  s: Sweep,
  index: number,
  shard: [number, number],
  plan: number[],
  command: string[] | null,
): SweepTag {
  return {
    id: s.id,
    name: s.name,
    labels: s.labels,
    pairs: s.pairs.map((p) => [p.run, p.seed]),
    plan,
    shard,
    pair: index,
    command,
  };
}

/** The pairs shard k of n runs, in grid order, each with its tag (a classroom seat's runs). */
export function shardPairs(
  s: Sweep,
  shard: [number, number],
  command: string[] | null,
): { pair: SweepPair; tag: SweepTag }[] {
  const plan = planShards(
    s.pairs.map((p) => p.cost),
    shard[1],
  );
  return s.pairs
    .filter((p) => plan[p.index] === shard[0])
    .map((pair) => ({ pair, tag: sweepTag(s, pair.index, shard, plan, command) }));
}

/** A pair named as the command line names it: `run 4/9 lssa (seed 1)`, counted from 1 over the grid. */
export function pairName(t: Pick<SweepTag, 'labels' | 'pairs'>, index: number): string {
  const [run, seed] = t.pairs[index];
  return `run ${index + 1}/${t.pairs.length} ${t.labels[run]} (seed ${seed})`;
}

// ---------- merging ----------

/** One input of a merge: a shard file (or a pasted link) and its documents. */
export interface MergeInput {
  /** How messages name it: a file name, `link 3`. */
  source: string;
  docs: readonly ResultsDoc[];
}

/** The pairs one shard still owes, and the command that runs it (null when no command line is known: a seat). */
export interface MissingShard {
  shard: [number, number];
  pairs: number[];
  command: string[] | null;
}

export interface Merged {
  id: string;
  name: string;
  version: string;
  /** The sweep's grid as the documents record it. */
  tag: SweepTag;
  /** Every document, in grid order. */
  docs: ResultsDoc[];
  /** Where each document came from, parallel to docs. */
  sources: string[];
  missing: MissingShard[];
  /**
   * The adapters the runs ran on. Runs are identical across machines of one adapter; on different adapters the
   * numbers may differ in their last digits, so a merge says so (and still merges).
   */
  adapters: string[];
}

/** A merge refused: one line naming the inputs and the reason. */
export class MergeRefusal extends Error {
  override name = 'MergeRefusal';
}

const sweepName = (t: { id: string; name: string }) => `'${t.name}' (sweep ${t.id})`;

/** The merge so far: the classroom adds links one at a time, the command line all its files. */
export class SweepMerge {
  private first: { tag: SweepTag; version: string; source: string } | null = null;
  private readonly byPair = new Map<number, { doc: ResultsDoc; source: string }>();

  /**
   * Adds one input, all or nothing: every document must be tagged, of one
   * lab version and one sweep (this merge's), and hold pairs no input holds
   * already. Throws a MergeRefusal naming the first problem.
   */
  add(input: MergeInput): void {
    const seen = new Map<number, ResultsDoc>();
    let first = this.first;
    for (const [i, d] of input.docs.entries()) {
      const t = d.sweep;
      if (!t)
        throw new MergeRefusal(
          `${input.source}: run ${i + 1} (${d.label}) is not part of a sweep ` +
            '(its document has no sweep tag: run it with --shard, or from a sweep link)',
        );
      const problem = tagProblem(t, d);
      if (problem) throw new MergeRefusal(`${input.source}: run ${i + 1} (${d.label}): ${problem}`);
      if (!first) first = { tag: t, version: d.engineVersion, source: input.source };
      if (d.engineVersion !== first.version)
        throw new MergeRefusal(
          `${input.source} was made by lab ${d.engineVersion}, ${first.source} by lab ${first.version}: ` +
            'merge results of one lab version',
        );
      if (t.id !== first.tag.id)
        throw new MergeRefusal(
          `${input.source} is another sweep: ${sweepName(t)}, not ${sweepName(first.tag)} of ${first.source}`,
        );
      const before = this.byPair.get(t.pair);
      if (before || seen.has(t.pair)) {
        const where = before ? `both ${before.source} and ${input.source}` : `${input.source} twice`;
        throw new MergeRefusal(
          `${pairName(t, t.pair)} is in ${where} (a shard ran twice into different files? keep one of them)`,
        );
      }
      seen.set(t.pair, d);
    }
    this.first = first;
    for (const d of seen.values()) this.byPair.set(d.sweep!.pair, { doc: d, source: input.source });
  }

  /** The documents so far in grid order and what is missing, by shard; null before any document. */
  result(): Merged | null {
    if (!this.first) return null;
    const tag = this.first.tag;
    const entries = [...this.byPair.entries()].sort((a, b) => a[0] - b[0]);
    const have = new Set(this.byPair.keys());
    return {
      id: tag.id,
      name: tag.name,
      version: this.first.version,
      tag,
      docs: entries.map(([, e]) => e.doc),
      sources: entries.map(([, e]) => e.source),
      missing: missingShards(
        tag,
        [...this.byPair.values()].map((e) => e.doc.sweep!),
        have,
      ),
      adapters: [...new Set(entries.map(([, e]) => adapterName(e.doc)))],
    };
  }
}

/** An adapter as people name it: vendor, architecture, description. */
export function adapterName(d: ResultsDoc): string {
  const a = d.adapter;
  return [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown adapter';
}

/** Merges inputs (all or nothing): the first refusal throws. */
export function mergeSweep(inputs: readonly MergeInput[]): Merged | null {
  const m = new SweepMerge();
  for (const input of inputs) m.add(input);
  return m.result();
}

/** Why a tag does not describe its own document (a hand-edited or corrupt file), or null. */
function tagProblem(t: SweepTag, d: ResultsDoc): string | null {
  const n = t.pairs.length;
  if (t.plan.length !== n) return `its sweep tag's plan has ${t.plan.length} shards for ${n} pairs`;
  if (!(t.pair < n)) return `its sweep tag names pair ${t.pair + 1} of ${n}`;
  const [k, of] = t.shard;
  if (k > of || t.plan.some((x) => x > of)) return `its sweep tag's shard ${k}/${of} does not fit its plan`;
  if (t.plan[t.pair] !== k && of > 1) return `its sweep tag puts it in shard ${t.plan[t.pair]}, not ${k}/${of}`;
  const [run, seed] = t.pairs[t.pair];
  if (run >= t.labels.length) return `its sweep tag names run ${run + 1} of ${t.labels.length}`;
  if (seed !== d.seed) return `its sweep tag says seed ${seed}, the run has seed ${d.seed}`;
  return null;
}

/**
 * The missing pairs, grouped by the shard that owes them under the cut most
 * documents were run with; each with the command that (re)runs it: a
 * document of that shard's own command (same --out: it resumes), else
 * another shard's with --shard and the output file's number changed.
 */
function missingShards(tag: SweepTag, tags: SweepTag[], have: Set<number>): MissingShard[] {
  const missing = tag.pairs.map((_, i) => i).filter((i) => !have.has(i));
  if (!missing.length) return [];
  const counts = new Map<number, number>();
  for (const t of tags) counts.set(t.shard[1], (counts.get(t.shard[1]) ?? 0) + 1);
  const n = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  const plan = tags.find((t) => t.shard[1] === n)!.plan;
  const byShard = new Map<number, number[]>();
  for (const i of missing) byShard.set(plan[i], [...(byShard.get(plan[i]) ?? []), i]);
  return [...byShard.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, pairs]) => {
      const own = tags.find((t) => t.shard[0] === k && t.shard[1] === n && t.command);
      const other = tags.find((t) => t.shard[1] === n && t.command);
      const command = own?.command ?? (other?.command ? shardCommand(other.command, other.shard[0], k, n) : null);
      return { shard: [k, n] as [number, number], pairs, command };
    });
}

/** Another shard's command line, made to run shard k of n: its --shard changed, and its --out's number. */
export function shardCommand(args: readonly string[], from: number, k: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--shard' && i + 1 < args.length) out.push(a, `${k}/${n}`), i++;
    else if (a.startsWith('--shard=')) out.push(`--shard=${k}/${n}`);
    else if (a === '--out' && i + 1 < args.length) out.push(a, shardOut(args[++i], from, k));
    else if (a.startsWith('--out=')) out.push(`--out=${shardOut(a.slice(6), from, k)}`);
    else out.push(a);
  }
  if (!out.some((a) => a === '--shard' || a.startsWith('--shard='))) out.push('--shard', `${k}/${n}`);
  return out;
}

/**
 * A shard's output file for shard k, from shard `from`'s: shard-2-of-3.json -> shard-1-of-3.json (the first
 * number equal to `from` in the file name), else x.json -> x.shard-1.json.
 */
export function shardOut(path: string, from: number, k: number): string {
  const slash = path.lastIndexOf('/') + 1;
  const dir = path.slice(0, slash);
  const file = path.slice(slash);
  const re = new RegExp(`(?<!\\d)${from}(?!\\d)`);
  if (re.test(file)) return dir + file.replace(re, String(k));
  const dot = file.lastIndexOf('.');
  return dot > 0 ? `${dir}${file.slice(0, dot)}.shard-${k}${file.slice(dot)}` : `${dir}${file}.shard-${k}`;
}

/** A command line as a POSIX shell reads it back. */
export function shellLine(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** For comparing runs across machines: a document without what differs by machine or moment (timings, date, tag). */
export function withoutTimings(d: ResultsDoc): unknown {
  const { timings: _t, createdAt: _c, sweep: _s, ...rest } = d;
  void _t;
  void _c;
  void _s;
  return { ...rest, trainingCurve: rest.trainingCurve.map(({ tokensPerSecond: _r, ...c }) => (void _r, c)) };
}

// ---------- sha256 (FIPS 180-4), synchronous, so the lab and the CLI compute ids alike ----------

const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** sha256 of a string's UTF-8 bytes, as 64 hex digits. */
export function sha256Hex(text: string): string {
  const msg = new TextEncoder().encode(text);
  const bits = msg.length * 8;
  const padded = new Uint8Array((((msg.length + 8) >> 6) + 1) << 6);
  padded.set(msg);
  padded[msg.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + 4 * i);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  return [...h].map((x) => x.toString(16).padStart(8, '0')).join('');
}
