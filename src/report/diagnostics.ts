// Attention diagnostics per layer (mean over heads; hover shows each head's
// spread): entropy, sink mass, local focus or mean distance, at one length.
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import { colourScale, emphasis, emptySvg, fmt, type PlotOpts, render, seriesOf, stat } from './common';
import { runDots } from './symbols';

export type DiagnosticMetric = 'entropy' | 'sinkMass' | 'localFocus' | 'meanDistance';

export const METRIC_LABELS: Record<DiagnosticMetric, string> = {
  entropy: 'attention entropy (nats)',
  sinkMass: 'sink mass (weight on token 1)',
  localFocus: 'local focus (weight on distances 0-3)',
  meanDistance: 'mean attention distance (tokens)',
};

interface Pt {
  name: string;
  layer: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Lengths at which the documents have diagnostics. */
export function diagnosticLengths(docs: readonly ResultsDoc[]): number[] {
  return [...new Set(docs.flatMap((d) => d.diagnostics.map((x) => x.length)))].sort((a, b) => a - b);
}

export function diagnosticsPoints(docs: readonly ResultsDoc[], metric: DiagnosticMetric, length?: number): Pt[] {
  const out: Pt[] = [];
  for (const s of seriesOf(docs)) {
    const diags = s.docs.flatMap((d) => d.diagnostics);
    const L = length ?? Math.max(0, ...diags.map((d) => d.length));
    const layers = [...new Set(diags.map((d) => d.layer))].sort((a, b) => a - b);
    for (const layer of layers) {
      const xs = diags.filter((d) => d.layer === layer && d.length === L).map((d) => d[metric]);
      if (xs.length) out.push({ name: s.name, layer: layer + 1, ...stat(xs) });
    }
  }
  return out;
}

export function diagnosticsSvg(
  docs: ResultsDoc[],
  opts: PlotOpts & { metric?: DiagnosticMetric; length?: number } = {},
): SVGSVGElement {
  const metric = opts.metric ?? 'entropy';
  const all = diagnosticsPoints(docs, metric, opts.length);
  const names = [...new Set(all.map((p) => p.name))];
  const pts = all.filter((p) => !opts.hidden?.has(p.name));
  if (!pts.length) return emptySvg('No attention diagnostics at this length', opts);
  const marks: Plot.Markish[] = [];
  const domain = opts.colorDomain ?? names;
  for (const n of names) {
    const e = emphasis(n, opts);
    const mine = pts.filter((p) => p.name === n);
    marks.push(
      Plot.ruleX(mine, {
        x: 'layer',
        y1: 'lo',
        y2: 'hi',
        stroke: 'name',
        strokeOpacity: e.opacity * 0.4,
        strokeWidth: 6,
      }),
    );
    marks.push(
      Plot.line(mine, {
        x: 'layer',
        y: 'mean',
        stroke: 'name',
        strokeWidth: e.width,
        strokeOpacity: e.opacity,
      }),
      runDots(mine, { x: 'layer', y: 'mean', stroke: 'name', index: domain.indexOf(n), opacity: e.opacity }),
    );
  }
  marks.push(
    Plot.tip(
      pts,
      Plot.pointer({
        x: 'layer',
        y: 'mean',
        stroke: 'name',
        title: (p: Pt) =>
          `${p.name}\nlayer ${p.layer}\nmean over heads ${fmt(p.mean, 4)}\nheads ${fmt(p.lo, 3)} to ${fmt(p.hi, 3)}`,
      }),
    ),
  );
  const maxLayer = Math.max(...pts.map((p) => p.layer));
  return render(
    {
      x: {
        label: 'layer',
        ticks: Array.from({ length: maxLayer }, (_, i) => i + 1),
        tickFormat: 'd',
        domain: [0.5, maxLayer + 0.5],
        grid: true,
      },
      y: { label: METRIC_LABELS[metric], grid: true, nice: true },
      color: colourScale(domain),
      marks,
    },
    opts,
    `attention diagnostics per layer: ${METRIC_LABELS[metric]}`,
  );
}
