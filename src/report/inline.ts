// The numbers in the reproduction report's prose, filled from the results documents by `npm run report`, as the
// tables are. A number is written between `<!-- =OP;ARG;... -->` and `<!-- /= -->`; the comment says how it is
// computed, and the text between is replaced by the computed value, so no figure in the prose is typed by hand.
// Each value is rounded once, from the raw per-seed values. Operations (REF: a run, `preset:row` (measures.ts);
// M: a measure; D: decimals, `+D` to sign the value):
//   mean;REF;M;D        the mean over seeds          seeds;REF;M;D     each seed's value, in seed order
//   range;REF;M;D       min-max over every seed of every row named    means;REF;M;D    min-max over the rows' means
//   diff;A;B;M;D        the mean of A - B, paired by seed             diffs;A;B;M;D    A - B on each seed
//   se;A;B;M;D          diff, ± its standard error over seeds         cmp;A;B;M;D      the comparison rule (compare.ts)
//   diffrange;A;B;M;D   min-max of A - B over seeds, A's rows paired in order with B's
//   spreads;REF;M;D     min-max over rows of each row's max-min over seeds
//   halfspread;REF;M;D  the largest half max-min over seeds (the tables' ±) of the rows named
//   sum;REF;M;D         the sum over the runs named (a run in several rows counted once)
//   count;REF           how many runs (documents)                      base;PRESET;unigram|uniform;D   a baseline
//   above;REF;M;X       how many runs have M above X: a number, or unigram or uniform (each run's own baseline)
//   wse;REF;M;D         the mean over seeds, `(se ≤ S)`: S bounds its standard error over evaluation windows, the
//                       mean over seeds of each seed's (measures.ts windowSe), as the sd of a mean is at most the mean
//                       of the sds
//   pct;REF;A;B;D       100 x the mean over seeds of A over the mean of B: how much of B is A, in percent

import type { ResultsDoc } from '../eval/results';
import { pairBySeed, verdict, verdictPhrase } from './compare';
import { measure, perSeed, ReportDataError, type Results, type Row, resolveRows, windowSe } from './measures';

const MARKER = /<!-- =([^>]*?) -->([\s\S]*?)<!-- \/= -->/g;

/** `x` to `spec` decimals (`+2`: signed); a value that prints as zero is printed unsigned. */
export function fixed(x: number, spec = '2'): string {
  const signed = spec.startsWith('+');
  const digits = Number(signed ? spec.slice(1) : spec);
  if (!Number.isInteger(digits) || digits < 0 || digits > 6) throw new ReportDataError(`bad decimals '${spec}'`);
  if (!Number.isFinite(x)) throw new ReportDataError(`value ${x} is not finite`);
  let s = x.toFixed(digits);
  if (Number(s) === 0) s = s.replace('-', '');
  else if (signed && x > 0) s = `+${s}`;
  return s;
}

const decimals = (spec: string) => Number(spec.replace('+', ''));
const values = (rows: Row[], m: string) => rows.flatMap((r) => [...perSeed(r, m).values()]);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** `lo-hi`, or one value when both print alike; `lo to hi` when a sign would make a dash ambiguous. */
function span(xs: readonly number[], d: string): string {
  const [lo, hi] = [fixed(Math.min(...xs), d), fixed(Math.max(...xs), d)];
  if (lo === hi) return lo;
  return d.startsWith('+') || lo.startsWith('-') ? `${lo} to ${hi}` : `${lo}-${hi}`;
}

/** Each run (document) of the rows once, read through the first row that holds it. */
function runsOf(rows: Row[]): [Row, ResultsDoc][] {
  const seen = new Set<ResultsDoc>();
  return rows.flatMap((r) =>
    r.docs.filter((doc) => !seen.has(doc) && seen.add(doc)).map((doc): [Row, ResultsDoc] => [r, doc]),
  );
}

function one(results: Results, ref: string): Row {
  const rows = resolveRows(results, ref);
  if (rows.length !== 1) throw new ReportDataError(`'${ref}' names ${rows.length} rows; this needs one`);
  return rows[0];
}

function paired(results: Results, a: string, b: string, m: string) {
  const p = pairBySeed(perSeed(one(results, a), m), perSeed(one(results, b), m));
  if (!p.seeds.length) throw new ReportDataError(`'${a}' and '${b}' share no seed`);
  return p;
}

/** The value of one marker's expression. */
export function evaluate(results: Results, expr: string): string {
  const [op, ...args] = expr.split(';').map((a) => a.trim());
  const need = (n: number) => {
    if (args.length < n) throw new ReportDataError(`'${op}' needs ${n} arguments: ${expr}`);
  };
  const d = args[args.length - 1];
  switch (op) {
    case 'mean':
      need(3);
      return fixed(mean([...perSeed(one(results, args[0]), args[1]).values()]), d);
    case 'seeds': {
      need(3);
      const bySeed = perSeed(one(results, args[0]), args[1]);
      return [...bySeed.keys()]
        .sort((x, y) => x - y)
        .map((s) => fixed(bySeed.get(s)!, d))
        .join(', ');
    }
    case 'range':
      need(3);
      return span(values(resolveRows(results, args[0]), args[1]), d);
    case 'means':
      need(3);
      return span(
        resolveRows(results, args[0]).map((r) => mean([...perSeed(r, args[1]).values()])),
        d,
      );
    case 'diff':
      need(4);
      return fixed(mean(paired(results, args[0], args[1], args[2]).diffs), d);
    case 'diffs':
      need(4);
      return paired(results, args[0], args[1], args[2])
        .diffs.map((x) => fixed(x, d))
        .join(', ');
    case 'se': {
      need(4);
      const { diffs } = paired(results, args[0], args[1], args[2]);
      if (diffs.length < 2) throw new ReportDataError(`a standard error needs two seeds: ${expr}`);
      const m = mean(diffs);
      const sd = Math.sqrt(diffs.reduce((s, x) => s + (x - m) ** 2, 0) / (diffs.length - 1));
      return `${fixed(m, d)} ±${fixed(sd / Math.sqrt(diffs.length), d.replace('+', ''))}`;
    }
    case 'cmp': {
      need(4);
      const { seeds, diffs } = paired(results, args[0], args[1], args[2]);
      const v = verdict(diffs, decimals(d));
      const sign = d.startsWith('+') ? d : `+${d}`;
      return `${verdictPhrase(v, seeds.length)} (${diffs.map((x) => fixed(x, sign)).join(', ')})`;
    }
    case 'diffrange': {
      need(4);
      const [as, bs] = [resolveRows(results, args[0]), resolveRows(results, args[1])];
      if (as.length !== bs.length) throw new ReportDataError(`${as.length} rows against ${bs.length}: ${expr}`);
      const diffs = as.flatMap((a, i) => pairBySeed(perSeed(a, args[2]), perSeed(bs[i], args[2])).diffs);
      if (!diffs.length) throw new ReportDataError(`no seed in common: ${expr}`);
      return span(diffs, d);
    }
    case 'spreads':
    case 'halfspread': {
      need(3);
      const widths = resolveRows(results, args[0]).map((r) => {
        const xs = [...perSeed(r, args[1]).values()];
        return Math.max(...xs) - Math.min(...xs);
      });
      return op === 'spreads' ? span(widths, d) : fixed(Math.max(...widths) / 2, d);
    }
    case 'above': {
      need(3);
      const [ref, m, x] = args;
      const read = measure(m);
      const line = (doc: ResultsDoc) =>
        x === 'unigram' || x === 'uniform' ? doc.baselines[x] : Number.isFinite(Number(x)) ? Number(x) : NaN;
      let n = 0;
      for (const r of resolveRows(results, ref))
        for (const doc of r.docs) {
          const t = line(doc);
          if (Number.isNaN(t)) throw new ReportDataError(`'${x}' is not a number, unigram or uniform`);
          if (read(doc, r.variant) > t) n++;
        }
      return String(n);
    }
    case 'sum': {
      need(3);
      const read = measure(args[1]);
      return fixed(
        runsOf(resolveRows(results, args[0])).reduce((a, [r, doc]) => a + read(doc, r.variant), 0),
        d,
      );
    }
    case 'wse': {
      need(3);
      const row = one(results, args[0]);
      const se = windowSe(args[1]);
      const bound = mean(row.docs.map((doc) => se(doc, row.variant)));
      return `${fixed(mean([...perSeed(row, args[1]).values()]), d)} (se ≤ ${fixed(bound, d.replace('+', ''))})`;
    }
    case 'pct': {
      need(4);
      const row = one(results, args[0]);
      const [a, b] = [mean([...perSeed(row, args[1]).values()]), mean([...perSeed(row, args[2]).values()])];
      if (b === 0) throw new ReportDataError(`'${args[2]}' is zero: ${expr}`);
      return fixed((100 * a) / b, d);
    }
    case 'count':
      need(1);
      return String(runsOf(resolveRows(results, args[0])).length);
    case 'base': {
      need(3);
      const docs = results.get(args[0]);
      if (!docs?.length) throw new ReportDataError(`no results for preset '${args[0]}'`);
      if (args[1] !== 'unigram' && args[1] !== 'uniform') throw new ReportDataError(`no baseline '${args[1]}'`);
      return fixed(docs[0].baselines[args[1]], d);
    }
    default:
      throw new ReportDataError(`unknown operation '${op}' in <!-- =${expr} -->`);
  }
}

export interface Marker {
  expr: string;
  /** The text between the markers now. */
  text: string;
}

export function markersOf(report: string): Marker[] {
  return [...report.matchAll(MARKER)].map((m) => ({ expr: m[1], text: m[2] }));
}

/** The report with every marker's text replaced by its value; each marker that cannot be computed is an error. */
export function fillInline(report: string, results: Results): { report: string; errors: string[] } {
  const errors: string[] = [];
  const filled = report.replace(MARKER, (whole, expr: string) => {
    try {
      return `<!-- =${expr} -->${evaluate(results, expr)}<!-- /= -->`;
    } catch (e) {
      if (!(e instanceof ReportDataError)) throw e;
      errors.push(`<!-- =${expr} -->: ${e.message}`);
      return whole;
    }
  });
  return { report: filled, errors };
}
