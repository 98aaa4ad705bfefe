// Passkey retrieval accuracy against evaluation length (runs with passkey trials).
import * as Plot from '@observablehq/plot';
import { passkeyShape } from '../data/synthetic';
import type { ResultsDoc } from '../eval/results';
import {
  colourScale,
  emphasis,
  emptySvg,
  factorAxis,
  fmt,
  type PlotOpts,
  render,
  type Stat,
  seriesOf,
  stat,
} from './common';
import { runDots } from './symbols';

interface Pt {
  name: string;
  length: number;
  factor: number;
  mean: number;
  lo: number;
  hi: number;
  n: number;
  /** Accuracy by guessing: 10^-digits, the key's digits at this length. */
  chance: number;
}

export function passkeyPoints(docs: readonly ResultsDoc[]): Pt[] {
  const out: Pt[] = [];
  for (const s of seriesOf(docs)) {
    const first = s.docs[0].passkey;
    if (!first) continue;
    const T = s.docs[0].model.trainLength;
    for (const p of first.points) {
      const chance = 10 ** -(p.digits ?? passkeyShape(p.length).digits);
      const xs = s.docs
        .map((d) => d.passkey?.points.find((q) => q.length === p.length)?.accuracy)
        .filter((x): x is number => x !== undefined);
      out.push({ name: s.name, length: p.length, factor: p.length / T, chance, ...stat(xs) });
    }
  }
  return out;
}

interface ChancePt {
  factor: number;
  chance: number;
}

/** A percentage that stays readable when tiny (chance with a 5-digit key is 0.001%). */
export const smallPercent = (x: number): string => `${Number((x * 100).toPrecision(2))}%`;

/** An accuracy over seeds as a table cell: the mean in percent, ± half the range when there are several. */
export const accuracyCell = (s: Stat): string =>
  `${(s.mean * 100).toFixed(1)}%${s.n > 1 ? ` ±${(((s.hi - s.lo) / 2) * 100).toFixed(1)}` : ''}`;

/** The chance level at each length drawn (the most generous where runs of different T share a factor). */
function chanceLine(pts: readonly Pt[]): ChancePt[] {
  const at = new Map<number, number>();
  for (const p of pts) at.set(p.factor, Math.max(at.get(p.factor) ?? 0, p.chance));
  return [...at].map(([factor, chance]) => ({ factor, chance })).sort((a, b) => a.factor - b.factor);
}

export function passkeySvg(docs: ResultsDoc[], opts: PlotOpts = {}): SVGSVGElement {
  const all = passkeyPoints(docs);
  const names = [...new Set(all.map((p) => p.name))];
  const pts = all.filter((p) => !opts.hidden?.has(p.name));
  if (!pts.length) return emptySvg('No passkey results (set "Passkey trials per length" above 0)', opts);
  const maxF = Math.max(16, ...pts.map((p) => p.factor));
  const chance = chanceLine(pts);
  const marks: Plot.Markish[] = [
    Plot.ruleX([1], { stroke: '#999', strokeDasharray: '4 3' }),
    Plot.line(chance, { x: 'factor', y: 'chance', stroke: '#666', strokeDasharray: '1 3', curve: 'step-after' }),
    Plot.text(chance.slice(-1), {
      x: 'factor',
      y: 'chance',
      text: (c: ChancePt) => `chance ${smallPercent(c.chance)}`,
      textAnchor: 'end',
      dy: -7,
      fill: '#555',
    }),
  ];
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
        title: (p: Pt) =>
          `${p.name}\nlength ${p.length}\naccuracy ${fmt(p.mean * 100, 1)}%\nchance ${smallPercent(p.chance)}`,
      }),
    ),
  );
  return render(
    {
      // Room for the y label above the top tick (100).
      marginTop: 32,
      x: factorAxis(maxF),
      // percent: true maps proportions to 0..100 before the scale, so the domain is in percent.
      y: { label: 'passkey accuracy (%)', domain: [0, 100], percent: true, grid: true },
      color: colourScale(domain),
      marks,
    },
    opts,
    'passkey accuracy against length',
  );
}
