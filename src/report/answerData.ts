// What a preset's answer figure shows, as numbers: which figure a set of
// results gets (its preset's declaration, found by the experiment's title or
// its run labels), the per-seed values of each kind (loss at a length, loss as
// trained against a variant, the longest/1x ratio) and the figure's text
// alternative. Pure: documents in, rows and words out; src/report/answer.ts
// draws them.
import type { ResultsDoc } from '../eval/results';
import { type AnswerFigure, type LengthRef, PRESETS, type Preset, RUNNABLE_PRESETS } from '../experiment/presets';
import { type Series, type Stat, seriesOf, stat } from './common';
import { type Baseline, baselinesOf, variantName } from './lossVsLength';

/** An experiment that is no preset's: every run's loss at T and at the longest length, every seed a dot. */
export const DEFAULT_ANSWER: AnswerFigure = { kind: 'dotsAt', at: ['T', 'longest'] };

/** A series name without the lab's suffixes (" (shared)" for results from a link, " (2)" for a repeated label). */
export function baseName(name: string): string {
  return name.replace(/( \((shared|\d+)\))+$/, '');
}

/**
 * The preset the results belong to: the one titled `title` (any the command line runs), else the only one of the
 * lab's whose runs name every result.
 */
export function presetOf(docs: readonly ResultsDoc[], title?: string): Preset | undefined {
  const byTitle = RUNNABLE_PRESETS.find((p) => p.title === title);
  if (byTitle) return byTitle;
  if (!docs.length) return undefined;
  const labels = new Set(docs.map((d) => baseName(d.label)));
  const fits = PRESETS.filter((p) => {
    const runs = new Set(p.runs.map((r) => String(r.label)));
    return [...labels].every((l) => runs.has(l));
  });
  return fits.length === 1 ? fits[0] : undefined;
}

/** The answer figure of the results' preset, or DEFAULT_ANSWER. */
export function answerFigureFor(docs: readonly ResultsDoc[], title?: string): AnswerFigure {
  return presetOf(docs, title)?.answer ?? DEFAULT_ANSWER;
}

export interface SeedValue {
  seed: number;
  value: number;
}

/** One row of a dot plot: a run (or one of its evaluation variants) and its value per seed. */
export interface DotRow {
  /** The run (series of seeds): its colour, and what hide and highlight act on. */
  run: string;
  /** The row's name on the figure. */
  label: string;
  seeds: SeedValue[];
  stat: Stat;
}

export interface DotsAtPanel {
  factor: number;
  length: number;
  /** In the figure's order, the same runs in every panel. */
  rows: DotRow[];
  /** Drawn as vertical lines at their mean. */
  references: DotRow[];
}

export interface PairedRow {
  run: string;
  label: string;
  /** Per seed: loss as trained and with the variant (NaN where a seed lacks it). */
  pairs: { seed: number; trained: number; variant: number }[];
  trained: Stat;
  variant: Stat;
}

export type AnswerData =
  | { kind: 'dotsAt'; T: number; panels: DotsAtPanel[]; baselines: Baseline[] }
  | { kind: 'paired'; T: number; factor: number; variant: string; rows: PairedRow[]; baselines: Baseline[] }
  | { kind: 'ratio'; first: number; last: number; groups: { label: string; rows: DotRow[] }[] };

/** The factors every document's own evaluation has, ascending. */
function factorsOf(docs: readonly ResultsDoc[]): number[] {
  const sets = docs.map((d) => new Set(d.lossVsLength[0].lengths.map((l) => l.factor)));
  return [...(sets[0] ?? [])].filter((f) => sets.every((s) => s.has(f))).sort((a, b) => a - b);
}

/** The factor a LengthRef names among `factors` (null when a number is not among them). */
export function resolveLength(ref: LengthRef, factors: readonly number[]): number | null {
  if (!factors.length) return null;
  if (ref === 'longest') return factors[factors.length - 1];
  if (ref === 'T') return factors.includes(1) ? 1 : factors[0];
  return factors.includes(ref) ? ref : null;
}

/** "T = 32" at 1x, else "16x" (the reader knows T from the other panel or the title). */
export function lengthName(factor: number, T: number): string {
  return factor === 1 ? `T = ${T}` : `${factor}x`;
}

const lossAt = (d: ResultsDoc, variant: number, factor: number) =>
  d.lossVsLength[variant]?.lengths.find((l) => l.factor === factor)?.meanLoss;

function dotRow(run: string, label: string, seeds: SeedValue[]): DotRow {
  return { run, label, seeds, stat: stat(seeds.map((s) => s.value)) };
}

const shown = (s: Series, hidden?: ReadonlySet<string>) => !hidden?.has(s.name);

function dotsAtData(
  docs: readonly ResultsDoc[],
  fig: Extract<AnswerFigure, { kind: 'dotsAt' }>,
  hidden?: ReadonlySet<string>,
): AnswerData {
  const factors = factorsOf(docs);
  const at = [...new Set(fig.at.map((r) => resolveLength(r, factors)).filter((f): f is number => f !== null))];
  const all = seriesOf(docs);
  const series = all.filter((s) => shown(s, hidden));
  const refNames = new Set(fig.references ?? []);
  const isRef = (s: Series) => refNames.has(baseName(s.name));
  // One run with variants (a re-weighting sweep): rows are named by the variant alone.
  const rowSeries = series.filter((s) => !isRef(s));
  const single = all.filter((s) => !isRef(s)).length === 1;
  const T = docs[0]?.model.trainLength ?? 0;
  const panels = at.map((factor) => {
    const rows: DotRow[] = [];
    for (const s of rowSeries)
      s.docs[0].lossVsLength.forEach((v, i) => {
        const name = variantName(s.name, i, v);
        const label = single ? (i === 0 ? 'as trained' : name.slice(s.name.length + 3)) : name;
        const seeds = s.docs
          .map((d) => ({ seed: d.seed, value: lossAt(d, i, factor) ?? NaN }))
          .filter((x) => Number.isFinite(x.value));
        if (seeds.length) rows.push(dotRow(s.name, label, seeds));
      });
    const references = series.filter(isRef).map((s) =>
      dotRow(
        s.name,
        s.name,
        s.docs
          .map((d) => ({ seed: d.seed, value: lossAt(d, 0, factor) ?? NaN }))
          .filter((x) => Number.isFinite(x.value)),
      ),
    );
    return { factor, length: factor * T, rows, references: references.filter((r) => r.seeds.length) };
  });
  if (fig.order === 'mean' && panels.length) {
    const key = (r: DotRow) => `${r.run}\u0000${r.label}`;
    const rank = new Map(
      panels[0].rows
        .map((r, i) => ({ r, i }))
        .sort((a, b) => a.r.stat.mean - b.r.stat.mean || a.i - b.i)
        .map(({ r }, i) => [key(r), i]),
    );
    for (const p of panels) p.rows.sort((a, b) => (rank.get(key(a)) ?? 1e9) - (rank.get(key(b)) ?? 1e9));
  }
  return { kind: 'dotsAt', T, panels, baselines: baselinesOf(docs) };
}

function pairedData(
  docs: readonly ResultsDoc[],
  fig: Extract<AnswerFigure, { kind: 'paired' }>,
  hidden?: ReadonlySet<string>,
): AnswerData {
  const factor = resolveLength(fig.at, factorsOf(docs)) ?? 1;
  const rows: PairedRow[] = [];
  for (const s of seriesOf(docs).filter((x) => shown(x, hidden))) {
    const vi = s.docs[0].lossVsLength.findIndex((v) => v.hybridskip);
    const pairs = s.docs.map((d) => ({
      seed: d.seed,
      trained: lossAt(d, 0, factor) ?? NaN,
      variant: vi < 0 ? NaN : (lossAt(d, vi, factor) ?? NaN),
    }));
    const finite = (xs: number[]) => xs.filter(Number.isFinite);
    rows.push({
      run: s.name,
      label: s.name,
      pairs,
      trained: stat(finite(pairs.map((p) => p.trained))),
      variant: stat(finite(pairs.map((p) => p.variant))),
    });
  }
  return {
    kind: 'paired',
    T: docs[0]?.model.trainLength ?? 0,
    factor,
    variant: fig.variant,
    rows,
    baselines: baselinesOf(docs),
  };
}

function ratioData(
  docs: readonly ResultsDoc[],
  fig: Extract<AnswerFigure, { kind: 'ratio' }>,
  hidden?: ReadonlySet<string>,
): AnswerData {
  const factors = factorsOf(docs);
  const first = factors[0] ?? 1;
  const last = factors[factors.length - 1] ?? 1;
  const rowOf = (s: Series) =>
    dotRow(
      s.name,
      s.name,
      s.docs
        .map((d) => ({ seed: d.seed, value: (lossAt(d, 0, last) ?? NaN) / (lossAt(d, 0, first) ?? NaN) }))
        .filter((x) => Number.isFinite(x.value)),
    );
  const series = seriesOf(docs).filter((s) => shown(s, hidden));
  const groups = fig.groups.map((g) => ({
    label: g.label,
    rows: series.filter((s) => g.runs.includes(baseName(s.name))).map(rowOf),
  }));
  const grouped = new Set(fig.groups.flatMap((g) => g.runs));
  groups.push({ label: 'other runs', rows: series.filter((s) => !grouped.has(baseName(s.name))).map(rowOf) });
  return { kind: 'ratio', first, last, groups: groups.filter((g) => g.rows.some((r) => r.seeds.length)) };
}

/** The numbers of `fig` for `docs` (runs in `hidden` left out). */
export function answerData(docs: readonly ResultsDoc[], fig: AnswerFigure, hidden?: ReadonlySet<string>): AnswerData {
  if (fig.kind === 'paired') return pairedData(docs, fig, hidden);
  if (fig.kind === 'ratio') return ratioData(docs, fig, hidden);
  return dotsAtData(docs, fig, hidden);
}

/** Whether the figure has anything to draw. */
export function answerIsEmpty(a: AnswerData): boolean {
  if (a.kind === 'dotsAt') return a.panels.every((p) => !p.rows.length && !p.references.length);
  if (a.kind === 'paired') return !a.rows.length;
  return !a.groups.length;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

/** Mean, and the seeds' range when there are several: "2.352 (2.33 to 2.37, 3 seeds)". */
function withRange(s: Stat): string {
  return s.n > 1 ? `${f3(s.mean)} (${s.lo.toFixed(2)} to ${s.hi.toFixed(2)}, ${s.n} seeds)` : f3(s.mean);
}

/** The figure's title: what it plots. */
export function answerTitle(a: AnswerData): string {
  if (a.kind === 'dotsAt') {
    const at = a.panels.map((p) => lengthName(p.factor, a.T)).join(' and at ');
    return `Validation loss at ${at || 'each length'}: every seed a dot, the bar their mean`;
  }
  if (a.kind === 'paired')
    return `Loss at ${lengthName(a.factor, a.T)} as trained and with ${a.variant}, every seed a pair of dots`;
  return `Loss at ${a.last}x over loss at ${a.first}x (1 = no worse with length): every seed a dot`;
}

/** The figure in words and numbers (the lab's text alternative, and the SVG's description). */
export function answerSummary(a: AnswerData): string {
  if (answerIsEmpty(a)) return 'No finished runs yet.';
  if (a.kind === 'dotsAt') {
    const parts = a.panels.map((p, i) => {
      const order = i === 0 && p.rows.length > 1 ? ', in the rows’ order' : '';
      const rows = p.rows.map((r) => `${r.label} ${withRange(r.stat)}`).join('; ');
      const refs = p.references.length
        ? `; reference lines: ${p.references.map((r) => `${r.label} ${f3(r.stat.mean)}`).join('; ')}`
        : '';
      return `At ${lengthName(p.factor, a.T)}${order}: ${rows}${refs}.`;
    });
    return `Validation loss (nats/token), mean over seeds. ${parts.join(' ')}`;
  }
  if (a.kind === 'paired') {
    const rows = a.rows
      .map(
        (r) =>
          `${r.label} ${f3(r.trained.mean)} and ${f3(r.variant.mean)} (${signed(r.variant.mean - r.trained.mean)})`,
      )
      .join('; ');
    const bs = a.baselines.map((b) => `${b.name} ${f3(b.loss)}`).join(', ');
    return (
      `Loss at ${lengthName(a.factor, a.T)} (nats/token), mean over seeds, as trained and with ${a.variant}: ` +
      `${rows}. Baselines: ${bs}.`
    );
  }
  const groups = a.groups.map((g) => `${g.label}: ${g.rows.map((r) => `${r.label} ${withRange(r.stat)}`).join('; ')}`);
  return `Loss at ${a.last}x over loss at ${a.first}x, mean over seeds. ${groups.join('. ')}.`;
}

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}` : '–');
