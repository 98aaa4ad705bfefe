// Training loss (solid) and validation loss at T (hollow markers) against
// step, one colour and one marker shape per run (the training line carries
// small filled marks of its shape); live while a run trains (its curve so far).
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import { colourScale, emphasis, emptySvg, fmt, type PlotOpts, render, seriesOf } from './common';
import { runDots } from './symbols';

export interface CurveSeries {
  name: string;
  curve: { step: number; loss: number; valLoss?: number }[];
}

/** Finished documents as curve series (several seeds: each seed its own line, one colour). */
export function curvesOf(docs: readonly ResultsDoc[]): CurveSeries[] {
  return seriesOf(docs).flatMap((s) => s.docs.map((d) => ({ name: s.name, curve: d.trainingCurve })));
}

interface Pt {
  name: string;
  line: number;
  step: number;
  y: number;
  kind: 'train' | 'validation';
}

export function lossVsStepSvg(series: CurveSeries[], opts: PlotOpts = {}): SVGSVGElement {
  const names = [...new Set(series.map((s) => s.name))];
  const pts: Pt[] = [];
  series.forEach((s, line) => {
    if (opts.hidden?.has(s.name)) return;
    for (const c of s.curve) {
      if (Number.isFinite(c.loss)) pts.push({ name: s.name, line, step: c.step, y: c.loss, kind: 'train' });
      if (c.valLoss !== undefined && Number.isFinite(c.valLoss))
        pts.push({ name: s.name, line, step: c.step, y: c.valLoss, kind: 'validation' });
    }
  });
  if (!pts.length) return emptySvg('No training curve yet', opts);
  const train = pts.filter((p) => p.kind === 'train');
  const val = pts.filter((p) => p.kind === 'validation');
  const marks: Plot.Markish[] = [];
  const domain = opts.colorDomain ?? names;
  // Marks of the run's shape on its training lines: about 8 a line, so a noisy curve stays readable.
  const TRAIN_MARKS = 8;
  for (const n of names) {
    const e = emphasis(n, opts);
    const mine = train.filter((p) => p.name === n);
    const index = Math.max(0, domain.indexOf(n));
    marks.push(
      Plot.line(mine, {
        x: 'step',
        y: 'y',
        z: 'line',
        stroke: 'name',
        strokeWidth: e.width * 0.75,
        strokeOpacity: e.opacity,
      }),
    );
    for (const line of new Set(mine.map((p) => p.line))) {
      const pts = mine.filter((p) => p.line === line);
      const every = Math.ceil(pts.length / TRAIN_MARKS);
      marks.push(
        runDots(pts, { x: 'step', y: 'y', stroke: 'name', index, opacity: e.opacity, every, r: 2.5, filled: true }),
      );
    }
    marks.push(
      runDots(
        val.filter((p) => p.name === n),
        { x: 'step', y: 'y', stroke: 'name', index, opacity: e.opacity, r: 4, filled: false },
      ),
    );
  }
  marks.push(
    Plot.tip(
      pts,
      Plot.pointer({
        x: 'step',
        y: 'y',
        stroke: 'name',
        title: (p: Pt) => `${p.name}\nstep ${p.step}\n${p.kind} loss ${fmt(p.y, 4)}`,
      }),
    ),
  );
  return render(
    {
      x: { label: 'step', grid: true },
      y: { label: 'loss (nats/token): lines train, hollow marks validation at T', grid: true, nice: true },
      color: colourScale(domain),
      marks,
    },
    opts,
    'training and validation loss against step',
  );
}
