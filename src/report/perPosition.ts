// Per-position loss at the longest evaluation length: where in the window
// each model breaks. x is the position in multiples of T; T is marked.
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import { colourScale, emphasis, emptySvg, fmt, type PlotOpts, render, seriesOf, stat } from './common';
import { runDots } from './symbols';

interface Pt {
  name: string;
  position: number;
  x: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

export function perPositionPoints(docs: readonly ResultsDoc[]): Pt[] {
  const out: Pt[] = [];
  for (const s of seriesOf(docs)) {
    const own = s.docs.map((d) => d.lossVsLength[0]);
    const longest = own[0].lengths.reduce((a, l) => (l.length > a.length ? l : a), own[0].lengths[0]);
    if (!longest) continue;
    const T = s.docs[0].model.trainLength;
    longest.positions.forEach((_, b) => {
      const xs = own
        .map((o) => o.lengths.find((l) => l.length === longest.length)?.positions[b])
        .filter((x): x is number => x !== undefined);
      const position = (b + 0.5) * longest.bucketSize;
      out.push({ name: s.name, position, x: position / T, ...stat(xs) });
    });
  }
  return out;
}

export function perPositionSvg(docs: ResultsDoc[], opts: PlotOpts = {}): SVGSVGElement {
  const all = perPositionPoints(docs);
  const names = [...new Set(all.map((p) => p.name))];
  const pts = all.filter((p) => !opts.hidden?.has(p.name));
  if (!pts.length) return emptySvg('No per-position losses yet', opts);
  const marks: Plot.Markish[] = [Plot.ruleX([1], { stroke: '#999', strokeDasharray: '4 3' })];
  const spread = pts.filter((p) => p.n > 1);
  if (spread.length)
    marks.push(Plot.areaY(spread, { x: 'x', y1: 'lo', y2: 'hi', z: 'name', fill: 'name', fillOpacity: 0.15 }));
  const domain = opts.colorDomain ?? names;
  for (const n of names) {
    const e = emphasis(n, opts);
    const mine = pts.filter((p) => p.name === n);
    marks.push(
      Plot.line(mine, { x: 'x', y: 'mean', stroke: 'name', strokeWidth: e.width, strokeOpacity: e.opacity }),
      // The run's marker shape on about 8 of its points.
      runDots(mine, {
        x: 'x',
        y: 'mean',
        stroke: 'name',
        index: domain.indexOf(n),
        opacity: e.opacity,
        every: Math.ceil(mine.length / 8),
      }),
    );
  }
  marks.push(
    Plot.tip(
      pts,
      Plot.pointer({
        x: 'x',
        y: 'mean',
        stroke: 'name',
        title: (p: Pt) => `${p.name}\nposition ~${Math.round(p.position)} (${fmt(p.x, 2)}x T)\nloss ${fmt(p.mean, 4)}`,
      }),
    ),
  );
  return render(
    {
      x: { label: 'position in the window (multiples of T)', grid: true },
      y: { label: 'loss at the longest length (nats/token)', grid: true, nice: true },
      color: colourScale(domain),
      marks,
    },
    opts,
    'per-position loss at the longest evaluation length',
  );
}
