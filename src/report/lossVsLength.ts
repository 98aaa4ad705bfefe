// The headline plot: validation loss against evaluation length, x in
// multiples of the training length T (log scale, 1x to 16x), the training
// length marked, one line per run (mean and min..max band across seeds).
// Each run's re-weighting sweeps and hybridskip evaluations are extra lines.
// The trivial baselines (uniform over the vocabulary, the validation text's
// unigram loss) are grey rules, so a collapse has a line to collapse to.
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import { emphasis, emptySvg, fmt, type PlotOpts, render, seriesOf, stat } from './common';

export interface LengthPoint {
  /** The run (series of seeds) this line belongs to: what hide/highlight act on. */
  run: string;
  series: string;
  factor: number;
  length: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** A run's name, or its variant's: `base · p = 3`, `base · hybridskip`. */
export function variantName(
  base: string,
  i: number,
  v: { reweightP: number | null; hybridskip: boolean; label: string },
): string {
  if (i === 0) return base;
  if (v.hybridskip) return `${base} · hybridskip`;
  if (v.reweightP !== null) return `${base} · p = ${v.reweightP}`;
  return `${base} · ${v.label}`;
}

export interface Baseline {
  name: string;
  loss: number;
}

/** The trivial baselines of the documents' data: one pair per data source, named after it when there are several. */
export function baselinesOf(docs: readonly ResultsDoc[]): Baseline[] {
  const bySource = new Map<string, ResultsDoc['baselines']>();
  for (const d of docs) if (!bySource.has(d.data.name)) bySource.set(d.data.name, d.baselines);
  const out: Baseline[] = [];
  for (const [source, b] of bySource) {
    const of = bySource.size > 1 ? ` (${source})` : '';
    out.push({ name: `unigram${of}`, loss: b.unigram }, { name: `uniform, ln V${of}`, loss: b.uniform });
  }
  return out;
}

/** The plotted points (exported for tests and CSV). */
export function lossVsLengthPoints(
  docs: readonly ResultsDoc[],
  field: 'meanLoss' | 'tailLoss' = 'meanLoss',
): LengthPoint[] {
  const out: LengthPoint[] = [];
  for (const s of seriesOf(docs)) {
    const first = s.docs[0];
    first.lossVsLength.forEach((v, i) => {
      const name = variantName(s.name, i, v);
      for (const lr of v.lengths) {
        const xs = s.docs
          .map((d) => d.lossVsLength[i]?.lengths.find((x) => x.length === lr.length)?.[field])
          .filter((x): x is number => x !== undefined);
        out.push({ run: s.name, series: name, factor: lr.factor, length: lr.length, ...stat(xs) });
      }
    });
  }
  return out;
}

export function lossVsLengthSvg(
  docs: ResultsDoc[],
  opts: PlotOpts & { field?: 'meanLoss' | 'tailLoss'; baselines?: boolean } = {},
): SVGSVGElement {
  if (docs.length === 0) return emptySvg('No finished runs yet', opts);
  const all = lossVsLengthPoints(docs, opts.field ?? 'meanLoss');
  const names = [...new Set(all.map((p) => p.series))];
  const runs = [...new Set(all.map((p) => p.run))];
  const shown = all.filter((p) => !opts.hidden?.has(p.run) && !opts.hidden?.has(p.series));
  const maxF = Math.max(16, ...all.map((p) => p.factor));
  const T = docs[0].model.trainLength;
  const marks: Plot.Markish[] = [
    Plot.ruleX([1], { stroke: '#999', strokeDasharray: '4 3' }),
    Plot.text([1], {
      x: (d: number) => d,
      frameAnchor: 'bottom',
      dx: 4,
      dy: -4,
      textAnchor: 'start',
      text: () => `training length T = ${T}`,
      fill: '#666',
    }),
  ];
  if (opts.baselines !== false) {
    // A baseline far above every line (the uniform loss usually is) would
    // squash the lines into a strip; it is named in the corner instead.
    const bs = baselinesOf(docs);
    const ys = [
      ...shown.flatMap((p) => [p.lo, p.hi]),
      ...bs.filter((b) => b.name.startsWith('unigram')).map((b) => b.loss),
    ];
    const top = Math.max(...ys) + 0.3 * (Math.max(...ys) - Math.min(...ys));
    const inside = bs.filter((b) => b.loss <= top);
    const above = bs.filter((b) => b.loss > top);
    marks.push(
      Plot.ruleY(inside, { y: 'loss', stroke: '#888', strokeDasharray: '2 3' }),
      Plot.text(inside, {
        x: maxF,
        y: 'loss',
        dy: -6,
        textAnchor: 'end',
        text: (b: Baseline) => `${b.name} ${fmt(b.loss, 2)}`,
        fill: '#666',
      }),
    );
    if (above.length)
      marks.push(
        Plot.text([above.map((b) => `${b.name} ${fmt(b.loss, 2)} (above the plot)`).join('\n')], {
          frameAnchor: 'top-left',
          textAnchor: 'start',
          dx: 8,
          dy: 12,
          fill: '#666',
        }),
      );
  }
  const spread = shown.filter((p) => p.n > 1);
  if (spread.length)
    marks.push(
      Plot.areaY(spread, {
        x: 'factor',
        y1: 'lo',
        y2: 'hi',
        z: 'series',
        fill: 'run',
        fillOpacity: 0.15,
        curve: 'monotone-x',
      }),
    );
  for (const name of names) {
    const pts = shown.filter((p) => p.series === name);
    if (!pts.length) continue;
    const e = emphasis(pts[0].run, opts);
    const dashed = name !== pts[0].run;
    marks.push(
      Plot.line(pts, {
        x: 'factor',
        y: 'mean',
        stroke: 'run',
        strokeWidth: e.width,
        strokeOpacity: e.opacity,
        strokeDasharray: dashed ? '5 3' : undefined,
        marker: 'circle-stroke',
      }),
    );
  }
  marks.push(
    Plot.tip(
      shown,
      Plot.pointer({
        x: 'factor',
        y: 'mean',
        stroke: 'run',
        title: (p: LengthPoint) =>
          `${p.series}\nlength ${p.length} (${p.factor}x T)\nloss ${fmt(p.mean, 4)}` +
          (p.n > 1 ? `\n${p.n} seeds: ${fmt(p.lo, 4)} to ${fmt(p.hi, 4)}` : ''),
      }),
    ),
  );
  return render(
    {
      x: {
        type: 'log',
        domain: [1, maxF],
        ticks: [1, 2, 4, 8, 16, 32, 64].filter((t) => t <= maxF),
        tickFormat: (d: number) => `${d}x`,
        label: 'evaluation length (multiples of T)',
        grid: true,
      },
      y: {
        label: (opts.field ?? 'meanLoss') === 'tailLoss' ? 'tail loss (nats/token)' : 'validation loss (nats/token)',
        grid: true,
        nice: true,
      },
      color: { domain: opts.colorDomain ?? runs, legend: false, scheme: 'tableau10' },
      marks,
    },
    opts,
    'validation loss against evaluation length',
  );
}
