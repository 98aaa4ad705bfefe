// Per-seed values of the reproduction's runs, for the numbers the report's prose quotes (src/report/inline.ts).
// A run is named `preset:row`, where row is a row of the preset's loss table (lossTable.ts: seeds of one config,
// each re-weighting or hybridskip evaluation its own row); a measure is read from each seed's document, raw, so
// that whatever is printed is rounded once. Pure: documents in, numbers out.
import type { ResultsDoc } from '../eval/results';
import { paramSpecs } from '../model/params';
import { seriesOf } from './common';
import { variantName } from './lossVsLength';

/** The results documents of each preset, by preset id (docs/figures/<preset>.json). */
export type Results = ReadonlyMap<string, readonly ResultsDoc[]>;

/** One row of a preset's table: the seeds of one config, read through one of its evaluations. */
export interface Row {
  preset: string;
  name: string;
  docs: ResultsDoc[];
  /** Index into each document's lossVsLength: 0 as trained, then re-weighting or hybridskip evaluations. */
  variant: number;
}

export class ReportDataError extends Error {
  override name = 'ReportDataError';
}

export function rowsOf(preset: string, docs: readonly ResultsDoc[]): Row[] {
  return seriesOf(docs).flatMap((s) =>
    s.docs[0].lossVsLength.map((v, variant) => ({
      preset,
      name: variantName(s.name, variant, v),
      docs: s.docs,
      variant,
    })),
  );
}

/**
 * The rows a reference names: `preset:row`, several rows joined by `&`, `preset:*` for every row, `preset:*text`
 * for every row whose name ends with text. A row matches by its exact name, else by the one name containing it.
 * The preset may be a comma-separated list, or `*` for every preset (not the extra documents, named with a `/`).
 */
export function resolveRows(results: Results, ref: string): Row[] {
  const colon = ref.indexOf(':');
  if (colon < 0) throw new ReportDataError(`'${ref}' names no preset (write preset:row)`);
  const head = ref.slice(0, colon).trim();
  const presets = head === '*' ? [...results.keys()].filter((k) => !k.includes('/')) : head.split(',');
  return presets.flatMap((p) => rowsIn(results, p.trim(), ref.slice(colon + 1)));
}

function rowsIn(results: Results, preset: string, want: string): Row[] {
  const docs = results.get(preset);
  if (!docs) throw new ReportDataError(`no results for preset '${preset}'`);
  const rows = rowsOf(preset, docs);
  return want.split('&').flatMap((part) => {
    const w = part.trim();
    if (w.startsWith('*')) {
      const hits = rows.filter((r) => r.name.endsWith(w.slice(1)));
      if (!hits.length) throw new ReportDataError(`no row of ${preset} ends with '${w.slice(1)}'`);
      return hits;
    }
    const exact = rows.filter((r) => r.name === w);
    if (exact.length) return exact;
    const near = rows.filter((r) => r.name.includes(w));
    if (near.length !== 1)
      throw new ReportDataError(
        `'${w}' matches ${near.length} rows of ${preset} (${rows.map((r) => r.name).join(', ')})`,
      );
    return near;
  });
}

type Read = (d: ResultsDoc, variant: number) => number;

function lengthAt(d: ResultsDoc, variant: number, factor: number | 'longest') {
  const ls = d.lossVsLength[variant]?.lengths ?? [];
  const l =
    factor === 'longest'
      ? ls.reduce<(typeof ls)[number] | undefined>((a, x) => (!a || x.length > a.length ? x : a), undefined)
      : ls.find((x) => x.factor === factor);
  if (!l) throw new ReportDataError(`${d.label} seed ${d.seed} has no evaluation at ${factor}`);
  return l;
}

/** The buckets [first, end) of the longest length that tile positions a..b (inclusive). */
function buckets(d: ResultsDoc, variant: number, a: number, b: number) {
  const l = lengthAt(d, variant, 'longest');
  const first = a / l.bucketSize;
  const end = (b + 1) / l.bucketSize;
  if (!Number.isInteger(first) || !Number.isInteger(end) || end <= first || end > l.positions.length)
    throw new ReportDataError(`positions ${a}-${b} are not whole buckets of ${l.bucketSize} up to ${l.length}`);
  return { l, first, end };
}

/** Mean per-position loss over positions a..b (inclusive) at the longest length; buckets must tile a..b. */
function positions(d: ResultsDoc, variant: number, a: number, b: number): number {
  const { l, first, end } = buckets(d, variant, a, b);
  const xs = l.positions.slice(first, end);
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Attention entropy at factor x T, the mean over layers and heads. */
function entropy(d: ResultsDoc, factor: number): number {
  const at = d.diagnostics.filter((h) => h.length === factor * d.model.trainLength);
  if (!at.length) throw new ReportDataError(`${d.label} seed ${d.seed} has no diagnostics at ${factor}x`);
  return at.reduce((s, h) => s + h.entropy, 0) / at.length;
}

/** Passkey retrieval accuracy at factor x T (the share of trials whose key the model wrote back). */
function passkeyAccuracy(d: ResultsDoc, factor: number): number {
  const at = d.passkey?.points.find((p) => p.length === factor * d.model.trainLength);
  if (!at) throw new ReportDataError(`${d.label} seed ${d.seed} has no passkey accuracy at ${factor}x`);
  return at.accuracy;
}

/** The document's windowed evaluation (each query saw only its last T keys, on the same windows). */
function windowedVariant(d: ResultsDoc): number {
  const i = d.lossVsLength.findIndex((v) => v.window !== undefined);
  if (i < 0) throw new ReportDataError(`${d.label} seed ${d.seed} has no windowed evaluation`);
  return i;
}

/** `windowed M`: M read from the windowed evaluation instead (`16x - windowed 16x` is full minus windowed). */
function onWindowed(m: string, inner: (m: string) => Read): Read | null {
  const g = m.match(/^windowed (.+)$/);
  if (!g) return null;
  const read = inner(g[1]);
  return (d) => read(d, windowedVariant(d));
}

const FACTOR = /^(\d+(?:\.\d+)?)x$/;
const POSITIONS = /^pos (\d+)-(\d+)$/;

function atom(m: string): Read {
  let g: RegExpMatchArray | null;
  const w = onWindowed(m, atom);
  if (w) return w;
  if ((g = m.match(FACTOR))) {
    const f = Number(g[1]);
    return (d, v) => lengthAt(d, v, f).meanLoss;
  }
  if (m === 'tail') return (d, v) => lengthAt(d, v, 'longest').tailLoss;
  // The longest length over the shortest, per seed: the tables' ratio column.
  if (m === 'ratio')
    return (d, v) => {
      const ls = d.lossVsLength[v]?.lengths ?? [];
      const first = ls.reduce((a, x) => (x.length < a.length ? x : a), ls[0]);
      return lengthAt(d, v, 'longest').meanLoss / first.meanLoss;
    };
  if ((g = m.match(POSITIONS))) {
    const [a, b] = [Number(g[1]), Number(g[2])];
    return (d, v) => positions(d, v, a, b);
  }
  if ((g = m.match(/^passkey (\d+)x$/))) {
    const f = Number(g[1]);
    return (d) => passkeyAccuracy(d, f);
  }
  if ((g = m.match(/^entropy (\d+)x$/))) {
    const f = Number(g[1]);
    return (d) => entropy(d, f);
  }
  if (m === 'seconds') return (d) => d.timings.trainSeconds + d.timings.evalSeconds;
  if (m === 'minutes') return (d) => (d.timings.trainSeconds + d.timings.evalSeconds) / 60;
  if (m === 'train seconds') return (d) => d.timings.trainSeconds;
  if (m === 'eval seconds') return (d) => d.timings.evalSeconds;
  if (m === 'tokens/s') return (d) => d.timings.trainTokensPerSecond;
  if (m === 'parameters') return (d) => paramSpecs(d.model).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  // What one run trains on: steps x batch x T characters.
  if (m === 'training characters')
    return (d) => Number(d.train.steps) * Number(d.train.batchSize) * Number(d.train.seqLen);
  throw new ReportDataError(
    `unknown measure '${m}' (Nx, tail, ratio, pos A-B, windowed M, entropy Nx, passkey Nx, seconds, minutes, ` +
      'train seconds, eval seconds, tokens/s, parameters, training characters)',
  );
}

/** A measure: one of atom's, or the difference of two (`16x - 1x`, `pos 32-47 - pos 16-31`), per document. */
export function measure(m: string): Read {
  const parts = m.split(' - ').map((p) => p.trim());
  if (parts.length > 2) throw new ReportDataError(`measure '${m}' has more than one ' - '`);
  const [a, b] = parts.map(atom);
  return b ? (d, v) => a(d, v) - b(d, v) : a;
}

const known = <T>(x: T | undefined, d: ResultsDoc, what: string): T => {
  if (x === undefined)
    throw new ReportDataError(`${d.label} seed ${d.seed} has no standard error over windows of ${what}`);
  return x;
};

/** The standard error over evaluation windows of one of atom's measures, as the document holds it. */
function atomSe(m: string): Read {
  let g: RegExpMatchArray | null;
  const w = onWindowed(m, atomSe);
  if (w) return w;
  if ((g = m.match(FACTOR))) {
    const f = Number(g[1]);
    return (d, v) => known(lengthAt(d, v, f).meanLossSe, d, m);
  }
  if (m === 'tail') return (d, v) => known(lengthAt(d, v, 'longest').tailLossSe, d, m);
  if ((g = m.match(POSITIONS))) {
    const [a, b] = [Number(g[1]), Number(g[2])];
    // Over several buckets, the mean of their standard errors: a bound (the sd of a mean is at most the mean of
    // the sds), since the documents do not hold how the buckets co-vary over windows.
    return (d, v) => {
      const { l, first, end } = buckets(d, v, a, b);
      const se = known(l.positionsSe, d, m).slice(first, end);
      return se.reduce((s, x) => s + x, 0) / se.length;
    };
  }
  throw new ReportDataError(`measure '${m}' has no standard error over windows (Nx, tail, pos A-B, windowed ...)`);
}

/**
 * The standard error over evaluation windows of a measure, per document, or a bound on it: the documents hold each
 * mean's standard error over windows (meanLossSe, tailLossSe, positionsSe), not the per-window values, so for
 * `A - B` (full minus windowed on the same windows, say) it is se(A) + se(B), which no correlation over windows
 * between A and B can exceed; exact only for one length's mean, tail or one bucket.
 */
export function windowSe(m: string): Read {
  const parts = m.split(' - ').map((p) => p.trim());
  if (parts.length > 2) throw new ReportDataError(`measure '${m}' has more than one ' - '`);
  const [a, b] = parts.map(atomSe);
  return b ? (d, v) => a(d, v) + b(d, v) : a;
}

/** The measure on each seed of a row, by seed. */
export function perSeed(row: Row, m: string): Map<number, number> {
  const read = measure(m);
  return new Map(row.docs.map((d) => [d.seed, read(d, row.variant)]));
}
