// The live layer of the loss-against-length plot: each training run's latest
// live evaluation (src/eval/live.ts: 1x, 4x, 16x on two windows), or the one
// a replay step picks, drawn dotted with hollow squares in the run's colour
// and labelled "live, step N", so it never reads as a final result. Pure data
// functions (Node tests call them) and the marks lossVsLength.ts adds.
import * as Plot from '@observablehq/plot';
import type { LivePoint } from '../eval/live';
import { fmt, type PlotOpts } from './common';

/** One run's live evaluation as the plot draws it. */
export interface LiveLine {
  /** The run's name in the plot (its colour and its hide/highlight). */
  run: string;
  step: number;
  /** The run's training length (the plot's T rule while no run has finished). */
  T: number;
  points: LivePoint[];
}

/** A drawn live point. */
export interface LivePlotPoint extends LivePoint {
  run: string;
  step: number;
}

/** The dash of every live line: dots, unlike any variant's dash (palette.ts). */
export const LIVE_DASH = '1 4';

export const liveLabel = (step: number) => `live, step ${step}`;

/** The points drawn: the shown runs' finite losses (a diverging model's NaN is left out, not drawn at 0). */
export function livePlotPoints(lines: readonly LiveLine[], hidden?: ReadonlySet<string>): LivePlotPoint[] {
  return lines
    .filter((l) => !hidden?.has(l.run))
    .flatMap((l) => l.points.filter((p) => Number.isFinite(p.loss)).map((p) => ({ ...p, run: l.run, step: l.step })));
}

/** The live lines in words (the plot's text alternative): run, step and loss at each length. */
export function liveSummary(lines: readonly LiveLine[], hidden?: ReadonlySet<string>): string {
  return lines
    .filter((l) => !hidden?.has(l.run))
    .map(
      (l) =>
        `${l.run}, ${liveLabel(l.step)}: ` +
        l.points.map((p) => `${fmt(p.loss, 2)} at ${p.factor}x (${p.length} tokens)`).join(', '),
    )
    .join('. ');
}

/** Lines, hollow squares and a "live, step N" label at each line's longest length. */
export function liveMarks(lines: readonly LiveLine[], opts: PlotOpts): Plot.Markish[] {
  const pts = livePlotPoints(lines, opts.hidden);
  if (!pts.length) return [];
  const ends = [...new Set(pts.map((p) => p.run))].map((run) =>
    pts.filter((p) => p.run === run).reduce((a, b) => (b.factor > a.factor ? b : a)),
  );
  return [
    Plot.line(pts, { x: 'factor', y: 'loss', z: 'run', stroke: 'run', strokeWidth: 2, strokeDasharray: LIVE_DASH }),
    Plot.dot(pts, { x: 'factor', y: 'loss', stroke: 'run', fill: 'white', symbol: 'square', r: 3.5 }),
    Plot.text(ends, {
      x: 'factor',
      y: 'loss',
      text: (p: LivePlotPoint) => liveLabel(p.step),
      dx: -6,
      dy: -10,
      textAnchor: 'end',
      fill: 'run',
      stroke: 'white',
      strokeWidth: 3,
      paintOrder: 'stroke',
    }),
  ];
}
