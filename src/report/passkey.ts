// Passkey retrieval accuracy against evaluation length (runs with passkey trials).
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import { colourScale, emphasis, emptySvg, factorAxis, fmt, type PlotOpts, render, seriesOf, stat } from './common';
import { runDots } from './symbols';

interface Pt {
  name: string;
  length: number;
  factor: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

export function passkeyPoints(docs: readonly ResultsDoc[]): Pt[] {
  const out: Pt[] = [];
  for (const s of seriesOf(docs)) {
    const first = s.docs[0].passkey;
    if (!first) continue;
    const T = s.docs[0].model.trainLength;
    for (const p of first.points) {
      const xs = s.docs
        .map((d) => d.passkey?.points.find((q) => q.length === p.length)?.accuracy)
        .filter((x): x is number => x !== undefined);
      out.push({ name: s.name, length: p.length, factor: p.length / T, ...stat(xs) });
    }
  }
  return out;
}

export function passkeySvg(docs: ResultsDoc[], opts: PlotOpts = {}): SVGSVGElement {
  const all = passkeyPoints(docs);
  const names = [...new Set(all.map((p) => p.name))];
  const pts = all.filter((p) => !opts.hidden?.has(p.name));
  if (!pts.length) return emptySvg('No passkey results (set "Passkey trials per length" above 0)', opts);
  const maxF = Math.max(16, ...pts.map((p) => p.factor));
  const marks: Plot.Markish[] = [Plot.ruleX([1], { stroke: '#999', strokeDasharray: '4 3' })];
  const domain = opts.colorDomain ?? names;
  for (const n of names) {
    const e = emphasis(n, opts);
    const mine = pts.filter((p) => p.name === n);
    marks.push(
      Plot.line(mine, { x: 'factor', y: 'mean', stroke: 'name', strokeWidth: e.width, strokeOpacity: e.opacity }),
      runDots(mine, { x: 'factor', y: 'mean', stroke: 'name', index: domain.indexOf(n), opacity: e.opacity }),
    );
  }
  marks.push(
    Plot.tip(
      pts,
      Plot.pointer({
        x: 'factor',
        y: 'mean',
        stroke: 'name',
        title: (p: Pt) => `${p.name}\nlength ${p.length}\naccuracy ${fmt(p.mean * 100, 1)}%`,
      }),
    ),
  );
  return render(
    {
      x: factorAxis(maxF),
      y: { label: 'passkey accuracy', domain: [0, 1], percent: true, grid: true },
      color: colourScale(domain),
      marks,
    },
    opts,
    'passkey accuracy against length',
  );
}
