// The headline plot: validation loss against evaluation length, x in
// multiples of the training length T (log scale, 1x to 16x), the training
// length marked, one line per run (the mean across seeds; its min..max band
// only while few lines are shown, else the answer figure's per-seed dots
// carry the spread). Each run's re-weighting sweeps and hybridskip
// evaluations are extra lines in its colour, one dash pattern per variant.
// The trivial baselines (uniform over the vocabulary, the validation text's
// unigram loss) are grey rules, so a collapse has a line to collapse to.
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import { colourScale, emphasis, emptySvg, factorAxis, fmt, type PlotOpts, render, seriesOf, stat } from './common';
import { spread, textWidth } from './labels';
import { type LiveLine, liveMarks, livePlotPoints } from './liveLength';
import { variantDash } from './palette';
import { type ReferenceLayer, referenceMarks, referenceRows } from './referenceBand';
import { runDots } from './symbols';

/** Bands are drawn for every line only up to this many lines (beyond, only the highlighted run's). */
export const BAND_MAX_LINES = 4;

export interface LengthPoint {
  /** The run (series of seeds) this line belongs to: what hide/highlight act on. */
  run: string;
  series: string;
  /** The evaluation variant's name ('p = 3', 'hybridskip'), null for the run's own evaluation. */
  variant: string | null;
  factor: number;
  length: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** A run's name, or its variant's: `base · p = 3`, `base · hybridskip`, `base · windowed` (the dashed twin). */
export function variantName(
  base: string,
  i: number,
  v: { reweightP: number | null; hybridskip: boolean; label: string; window?: number },
): string {
  if (i === 0) return base;
  if (v.hybridskip) return `${base} · hybridskip`;
  // One name (so one dash pattern) for every run's windowed twin, whatever its T.
  if (v.window) return `${base} · windowed`;
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
        const variant = i === 0 ? null : name.slice(s.name.length + 3);
        out.push({ run: s.name, series: name, variant, factor: lr.factor, length: lr.length, ...stat(xs) });
      }
    });
  }
  return out;
}

/** The variants' names in order of first appearance: variant k is drawn with variantDash(k). */
export function variantsOf(points: readonly LengthPoint[]): string[] {
  return [...new Set(points.map((p) => p.variant).filter((v): v is string => v !== null))];
}

export interface LossVsLengthOpts extends PlotOpts {
  field?: 'meanLoss' | 'tailLoss';
  baselines?: boolean;
  /**
   * Name each variant line at its end, in a column right of the frame (standalone files, which have no tooltips),
   * when the names differ and fit without overlapping; otherwise the file's legend names the dash patterns.
   */
  variantLabels?: boolean;
  /** A preset's reference band under each run of it (src/report/referenceBand.ts). */
  reference?: ReferenceLayer;
  /** Live evaluations of runs still training (or a replayed step's), drawn dotted over the finished lines. */
  live?: readonly LiveLine[];
  /** The y axis's extent, shared by panels drawn side by side (default: this plot's own lines). */
  yDomain?: [number, number];
}

export function lossVsLengthSvg(docs: ResultsDoc[], opts: LossVsLengthOpts = {}): SVGSVGElement {
  const live = opts.live ?? [];
  if (docs.length === 0 && !live.length) return emptySvg('No finished runs yet', opts);
  const fs = opts.fontSize ?? 12;
  const height = opts.height ?? 360;
  // Room above the frame for the y axis's label, clear of the top tick's label.
  const MARGIN_TOP = Math.round(fs * 2.4);
  // Below the frame: ticks (9 px and a line of text), then the axis's label, clear of the bottom edge.
  const MARGIN_BOTTOM = Math.round(16 + fs * 2.8);
  const all = lossVsLengthPoints(docs, opts.field ?? 'meanLoss');
  const names = [...new Set(all.map((p) => p.series))];
  const runs = [...new Set(all.map((p) => p.run))];
  // A live run not in the colour order (none has finished yet) takes the next colours, not none.
  const domain = [...new Set([...(opts.colorDomain ?? runs), ...live.map((l) => l.run)])];
  const variants = variantsOf(all);
  const shown = all.filter((p) => !opts.hidden?.has(p.run) && !opts.hidden?.has(p.series));
  const shownNames = new Set(shown.map((p) => p.series));
  // A band per line while they stay readable; past BAND_MAX_LINES only the highlighted run's.
  const banded = (p: LengthPoint) =>
    p.n > 1 && (shownNames.size <= BAND_MAX_LINES || (!!opts.highlight && p.run === opts.highlight));
  const livePts = livePlotPoints(live, opts.hidden);
  const maxF = Math.max(16, ...all.map((p) => p.factor), ...livePts.map((p) => p.factor));
  const trainLengths = [...new Set(docs.map((d) => d.model.trainLength))].sort((a, b) => a - b);
  // Runs of several training lengths share the x axis in multiples of their own T.
  const tLabel =
    trainLengths.length > 1
      ? `training length T (each run's own: ${trainLengths.join(', ')})`
      : `training length T = ${docs[0]?.model.trainLength ?? live[0].T}`;
  const reference = referenceRows(shown, opts.reference);
  const marks: Plot.Markish[] = [
    Plot.ruleX([1], { stroke: '#999', strokeDasharray: '4 3' }),
    ...referenceMarks(reference, opts.reference?.seeds ?? 0, fs),
  ];
  // Text goes on top of the lines, with a white halo, so a line crossing a label never hides it.
  const halo = { stroke: 'white', strokeWidth: 3, paintOrder: 'stroke' } as const;
  const labels: Plot.Markish[] = [
    Plot.text([1], {
      x: (d: number) => d,
      frameAnchor: 'bottom',
      dx: 4,
      dy: -4,
      textAnchor: 'start',
      text: () => tLabel,
      fill: '#666',
      ...halo,
    }),
  ];
  // The y extent: the lines (their bands where drawn) and the baselines drawn inside.
  const ys = [
    ...shown.flatMap((p) => (banded(p) ? [p.lo, p.hi] : [p.mean])),
    ...reference.flatMap((r) => [r.lo, r.hi]),
    ...livePts.map((p) => p.loss),
  ];
  const bs = opts.baselines === false ? [] : baselinesOf(docs);
  // A baseline far above every line (the uniform loss usually is) would squash the lines into a strip; it is
  // named in the corner instead.
  const near = [...ys, ...bs.filter((b) => b.name.startsWith('unigram')).map((b) => b.loss)];
  const top = Math.max(...near) + 0.3 * (Math.max(...near) - Math.min(...near));
  const ceiling = opts.yDomain?.[1] ?? top;
  const inside = bs.filter((b) => b.loss <= ceiling);
  const above = bs.filter((b) => b.loss > ceiling);
  const extent = [...ys, ...inside.map((b) => b.loss)];
  const y = Plot.scale({
    y: {
      type: 'linear',
      domain: opts.yDomain ?? [Math.min(...extent), Math.max(...extent)],
      nice: true,
      range: [height - MARGIN_BOTTOM, MARGIN_TOP],
    },
  });
  const py = (v: number) => y.apply(v) as number;
  if (inside.length) {
    // Each baseline named above its rule at the right; one too close under another is named below its rule.
    const byHeight = [...inside].sort((a, b) => b.loss - a.loss);
    const off = Math.round(fs / 2 + 4); // text centred this far from its rule clears it
    const dy = byHeight.map((b, i) => (i > 0 && py(b.loss) - py(byHeight[i - 1].loss) < 2 * off + 2 ? off : -off));
    marks.push(Plot.ruleY(inside, { y: 'loss', stroke: '#888', strokeDasharray: '2 3' }));
    labels.push(
      ...byHeight.map((b, i) =>
        Plot.text([b], {
          x: maxF,
          y: 'loss',
          dy: dy[i],
          textAnchor: 'end',
          text: (d: Baseline) => `${d.name} ${fmt(d.loss, 2)}`,
          fill: '#555',
          ...halo,
        }),
      ),
    );
  }
  if (above.length)
    labels.push(
      Plot.text([above.map((b) => `${b.name} ${fmt(b.loss, 2)} (above the plot)`).join('\n')], {
        frameAnchor: 'top-left',
        textAnchor: 'start',
        dx: 8,
        dy: 12,
        fill: '#666',
        ...halo,
      }),
    );
  const spreadPts = shown.filter(banded);
  if (spreadPts.length)
    marks.push(
      Plot.areaY(spreadPts, {
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
    const v = pts[0].variant;
    marks.push(
      Plot.line(pts, {
        x: 'factor',
        y: 'mean',
        stroke: 'run',
        strokeWidth: e.width,
        strokeOpacity: e.opacity,
        strokeDasharray: v === null ? undefined : variantDash(variants.indexOf(v)),
      }),
      // The run's own marker shape on every point: lines differ by shape as well as colour.
      runDots(pts, { x: 'factor', y: 'mean', stroke: 'run', index: domain.indexOf(pts[0].run), opacity: e.opacity }),
    );
  }
  marks.push(...liveMarks(live, opts));
  // Variant names at the lines' ends, right of the frame, spread so that none overlaps another.
  let marginRight = 20;
  const ends = opts.variantLabels ? variantEnds(shown) : [];
  const atEdge = ends.every((e) => e.factor === maxF);
  const labelH = fs * 0.9 + 3;
  const placed =
    ends.length && atEdge && new Set(ends.map((e) => e.text)).size === ends.length
      ? spread(
          ends.map((e) => ({ at: py(e.mean), size: labelH })),
          MARGIN_TOP,
          height - MARGIN_BOTTOM,
        )
      : null;
  if (placed) {
    marginRight = Math.ceil(14 + Math.max(...ends.map((e) => textWidth(e.text, fs * 0.9))));
    marks.push(
      Plot.text(
        ends.map((e, i) => ({ ...e, y: y.invert!(placed[i]) as number })),
        { x: maxF, y: 'y', text: 'text', dx: 8, textAnchor: 'start', fill: '#333', fontSize: fs * 0.9 },
      ),
    );
  }
  marks.push(
    ...labels,
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
      marginTop: MARGIN_TOP,
      marginBottom: MARGIN_BOTTOM,
      marginRight,
      x: { ...factorAxis(maxF), labelOffset: MARGIN_BOTTOM - 8 },
      y: {
        label: (opts.field ?? 'meanLoss') === 'tailLoss' ? 'tail loss (nats/token)' : 'validation loss (nats/token)',
        grid: true,
        domain: y.domain,
      },
      color: colourScale(domain),
      marks,
    },
    opts,
    'validation loss against evaluation length',
  );
}

/** Each shown variant line's last point and name. */
function variantEnds(shown: readonly LengthPoint[]): { text: string; mean: number; factor: number }[] {
  const out: { text: string; mean: number; factor: number }[] = [];
  for (const name of new Set(shown.map((p) => p.series))) {
    const pts = shown.filter((p) => p.series === name);
    if (pts[0].variant === null) continue;
    const last = pts.reduce((a, b) => (b.factor > a.factor ? b : a));
    out.push({ text: pts[0].variant, mean: last.mean, factor: last.factor });
  }
  return out;
}
