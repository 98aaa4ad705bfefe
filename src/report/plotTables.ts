// Every plot's numbers as a table: the text alternative the lab prints under
// each figure ("As a table"), so a reader who cannot see the lines, or who
// wants the numbers, reads what the figure draws. Built from the same point
// functions the plots draw (lossVsLengthPoints, passkeyPoints ...), so a table
// cannot disagree with its figure; the hidden runs are left out of both.
// Pure: documents in, rows of strings out; the app renders them as HTML.

import type { AttentionMap } from '../eval/map';
import type { ResultsDoc } from '../eval/results';
import { type AnswerData, answerTitle, type DotRow, lengthName } from './answerData';
import { type Stat, stat } from './common';
import { type DiagnosticMetric, diagnosticsPoints, METRIC_LABELS } from './diagnostics';
import { cell } from './lossTable';
import { baselinesOf, lossVsLengthPoints } from './lossVsLength';
import type { CurveSeries } from './lossVsStep';
import { accuracyCell, passkeyPoints, smallPercent } from './passkey';
import { perPositionPoints } from './perPosition';

export interface PlotTable {
  caption: string;
  /** Column headers; the first heads the rows' own header cells. */
  columns: string[];
  rows: { head: string; cells: string[] }[];
  /** A line under the table: what it leaves out or how it was summarised. */
  note?: string;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const SPREAD = 'mean over seeds, ± half their range';

/** A table of `rows` (one per name) against `columns` (sorted keys), '–' where a row lacks a column. */
function grid<P>(
  points: readonly P[],
  rowOf: (p: P) => string,
  colOf: (p: P) => number,
  show: (p: P) => string,
): { keys: number[]; rows: PlotTable['rows'] } {
  const keys = [...new Set(points.map(colOf))].sort((a, b) => a - b);
  const names = [...new Set(points.map(rowOf))];
  const rows = names.map((head) => {
    const mine = points.filter((p) => rowOf(p) === head);
    return { head, cells: keys.map((k) => mine.find((p) => colOf(p) === k)).map((p) => (p ? show(p) : '–')) };
  });
  return { keys, rows };
}

/** The loss-against-length plot: a row per line (run or variant), a column per length. */
export function lossVsLengthTable(
  docs: readonly ResultsDoc[],
  opts: { field?: 'meanLoss' | 'tailLoss'; hidden?: ReadonlySet<string> } = {},
): PlotTable {
  const field = opts.field ?? 'meanLoss';
  const pts = lossVsLengthPoints(docs, field).filter((p) => !opts.hidden?.has(p.run) && !opts.hidden?.has(p.series));
  const { keys, rows } = grid(
    pts,
    (p) => p.series,
    (p) => p.factor,
    (p) => cell(p),
  );
  const what = field === 'tailLoss' ? 'Tail loss (last T positions)' : 'Validation loss';
  const bs = baselinesOf(docs).map((b) => `${b.name} ${f3(b.loss)}`);
  return {
    caption: `${what} (nats/token) against evaluation length, ${SPREAD}`,
    columns: ['line', ...keys.map((f) => `${f}x T`)],
    rows,
    note: bs.length ? `Baselines (nats/token): ${bs.join(', ')}.` : undefined,
  };
}

/** At most `max` of `n` indices, evenly spaced, the first and the last always among them. */
export function evenIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1))))];
}

/**
 * The loss-against-step plot: a row per logged step of each line (a run's seeds are lines of one name, numbered),
 * at most `maxSteps` per line evenly spaced, plus every step with a validation loss.
 */
export function lossVsStepTable(
  series: readonly CurveSeries[],
  opts: { hidden?: ReadonlySet<string>; maxSteps?: number } = {},
): PlotTable {
  const max = opts.maxSteps ?? 20;
  const count = new Map<string, number>();
  for (const s of series) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  const rows: PlotTable['rows'] = [];
  let thinned = false;
  for (const s of series) {
    const k = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, k);
    if (opts.hidden?.has(s.name)) continue;
    const head = count.get(s.name)! > 1 ? `${s.name}, line ${k} of ${count.get(s.name)}` : s.name;
    const keep = new Set(evenIndices(s.curve.length, max));
    s.curve.forEach((c, i) => {
      if (c.valLoss !== undefined) keep.add(i);
    });
    thinned ||= keep.size < s.curve.length;
    for (const i of [...keep].sort((a, b) => a - b)) {
      const c = s.curve[i];
      rows.push({ head, cells: [String(c.step), f3(c.loss), c.valLoss === undefined ? '–' : f3(c.valLoss)] });
    }
  }
  return {
    caption: 'Training loss and validation loss at T (nats/token) against step',
    columns: ['line', 'step', 'training loss', 'validation loss at T'],
    rows,
    note: thinned ? `At most ${max} logged steps a line, evenly spaced, and every validation.` : undefined,
  };
}

/** "3.123 (seed 1: 3.120, seed 2: 3.125)": a row's mean and each seed's value. */
function seedsCell(r: { stat: Stat; seeds: { seed: number; value: number }[] }): string {
  if (r.seeds.length < 2) return f3(r.stat.mean);
  return `${f3(r.stat.mean)} (${r.seeds.map((s) => `seed ${s.seed}: ${f3(s.value)}`).join(', ')})`;
}

/** The answer figure: its rows and, per panel, the mean and every seed's value. */
export function answerTable(a: AnswerData): PlotTable {
  const caption = answerTitle(a);
  if (a.kind === 'dotsAt') {
    const names: { label: string; reference: boolean }[] = [];
    for (const p of a.panels)
      for (const [list, reference] of [
        [p.rows, false],
        [p.references, true],
      ] as [DotRow[], boolean][])
        for (const r of list)
          if (!names.some((n) => n.label === r.label && n.reference === reference))
            names.push({ label: r.label, reference });
    return {
      caption,
      columns: ['run', ...a.panels.map((p) => `loss at ${lengthName(p.factor, a.T)}`)],
      rows: names.map((n) => ({
        head: n.reference ? `${n.label} (reference)` : n.label,
        cells: a.panels.map((p) => {
          const r = (n.reference ? p.references : p.rows).find((x) => x.label === n.label);
          return r ? seedsCell(r) : '–';
        }),
      })),
    };
  }
  if (a.kind === 'paired') {
    const pairCell = (r: (typeof a.rows)[number], k: 'trained' | 'variant') =>
      seedsCell({
        stat: r[k],
        seeds: r.pairs.filter((p) => Number.isFinite(p[k])).map((p) => ({ seed: p.seed, value: p[k] })),
      });
    return {
      caption,
      columns: ['run', 'as trained', a.variant],
      rows: a.rows.map((r) => ({ head: r.label, cells: [pairCell(r, 'trained'), pairCell(r, 'variant')] })),
    };
  }
  return {
    caption,
    columns: ['run', `loss at ${a.last}x / loss at ${a.first}x`],
    rows: a.groups.flatMap((g) => g.rows.map((r) => ({ head: `${g.label}: ${r.label}`, cells: [seedsCell(r)] }))),
  };
}

/** The per-position plot: a row per position bucket, a column per run. */
export function perPositionTable(docs: readonly ResultsDoc[], hidden?: ReadonlySet<string>): PlotTable {
  const pts = perPositionPoints(docs).filter((p) => !hidden?.has(p.name));
  const runs = [...new Set(pts.map((p) => p.name))];
  const xs = [...new Set(pts.map((p) => p.x))].sort((a, b) => a - b);
  return {
    caption: `Loss (nats/token) by position at the longest evaluation length, ${SPREAD}`,
    columns: ['position (multiples of T)', ...runs],
    rows: xs.map((x) => ({
      head: `${x.toFixed(2)}x T`,
      cells: runs.map((n) => {
        const p = pts.find((q) => q.name === n && q.x === x);
        return p ? cell(p) : '–';
      }),
    })),
  };
}

/** The passkey plot: a row per run, a column per length, accuracy in percent. */
export function passkeyTable(docs: readonly ResultsDoc[], hidden?: ReadonlySet<string>): PlotTable {
  const pts = passkeyPoints(docs).filter((p) => !hidden?.has(p.name));
  const { keys, rows } = grid(
    pts,
    (p) => p.name,
    (p) => p.length,
    (p) => accuracyCell(p),
  );
  const chance = keys.map((l) => {
    const p = pts.find((q) => q.length === l);
    return p ? smallPercent(p.chance) : '–';
  });
  return {
    caption: `Passkey retrieval accuracy against length, ${SPREAD}`,
    columns: ['run', ...keys.map((l) => `length ${l}`)],
    rows: rows.length ? [...rows, { head: 'chance (10^-digits)', cells: chance }] : rows,
  };
}

/** The diagnostics plot: a row per run, a column per layer, the mean over heads and the heads' range. */
export function diagnosticsTable(
  docs: readonly ResultsDoc[],
  metric: DiagnosticMetric,
  length: number | undefined,
  hidden?: ReadonlySet<string>,
): PlotTable {
  const pts = diagnosticsPoints(docs, metric, length).filter((p) => !hidden?.has(p.name));
  const { keys, rows } = grid(
    pts,
    (p) => p.name,
    (p) => p.layer,
    (p) => (p.n > 1 ? `${f3(p.mean)} (heads ${f3(p.lo)} to ${f3(p.hi)})` : f3(p.mean)),
  );
  const at = length ? ` at length ${length}` : '';
  return {
    caption: `Attention diagnostics per layer: ${METRIC_LABELS[metric]}${at}, mean over heads`,
    columns: ['run', ...keys.map((l) => `layer ${l}`)],
    rows,
  };
}

/**
 * The attention map, summarised: its R x R cells pooled into at most `blocks` x `blocks` blocks of query (rows) and
 * key (columns) positions, each the mean weight of its causal cells (keys after the query have none).
 */
export function attentionMapTable(map: AttentionMap | null, blocks = 8): PlotTable {
  if (!map) return { caption: 'Attention map', columns: ['query positions'], rows: [] };
  const { R, length: L } = map;
  const B = Math.min(R, blocks);
  const edge = (b: number) => Math.round((b * R) / B);
  const pos = (r: number) => Math.floor((r * L) / R);
  const range = (b: number) => `${pos(edge(b)) + 1}-${pos(edge(b + 1))}`;
  const rows = Array.from({ length: B }, (_, qb) => ({
    head: `queries ${range(qb)}`,
    cells: Array.from({ length: B }, (_, kb) => {
      const ws: number[] = [];
      for (let r = edge(qb); r < edge(qb + 1); r++)
        for (let c = edge(kb); c < edge(kb + 1) && c <= r; c++) ws.push(map.cells[r * R + c]);
      return ws.length ? stat(ws).mean.toExponential(2) : '–';
    }),
  }));
  return {
    caption: `Attention map of layer ${map.layer + 1}, head ${map.head + 1} at length ${L}: mean weight per block`,
    columns: ['query positions', ...Array.from({ length: B }, (_, kb) => `keys ${range(kb)}`)],
    rows,
    note: B < R ? `Summarised: the map's ${R} x ${R} cells pooled into ${B} x ${B} blocks.` : undefined,
  };
}
