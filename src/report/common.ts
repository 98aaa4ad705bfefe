// Shared pieces of the lab's plots: options, run grouping (several seeds of
// one config become one series with a mean and a spread) and the Plot call.
// Pure: ResultsDoc[] in, SVG out; a `document` may be passed (Node, tests).
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import { runStyle } from './palette';

export interface PlotOpts {
  width?: number;
  height?: number;
  /** Owner document (defaults to window.document). */
  document?: Document;
  /** Series names not drawn. */
  hidden?: ReadonlySet<string>;
  /** Series drawn on top and thicker; the others fade. */
  highlight?: string | null;
  /** Colour order shared by every plot (the app's legend), so a run keeps its colour everywhere. */
  colorDomain?: string[];
  /** Text size in CSS pixels (12; the lab's large text for a projector, 15). */
  fontSize?: number;
}

/** One plotted series: the runs of one config (several seeds average into one). */
export interface Series {
  name: string;
  docs: ResultsDoc[];
}

/** The config of a run without its seed: runs equal under this key are seeds of one config. */
export function configKey(d: ResultsDoc): string {
  const { seed: _s, ...model } = d.model;
  const { seed: _t, ...train } = d.train as Record<string, unknown>;
  void _s;
  void _t;
  return JSON.stringify([d.label, model, train, d.evaluation, d.data.name]);
}

/** Groups documents into series, in first-seen order, with unique names. */
export function seriesOf(docs: readonly ResultsDoc[]): Series[] {
  const byKey = new Map<string, Series>();
  const names = new Set<string>();
  for (const d of docs) {
    const k = configKey(d);
    let s = byKey.get(k);
    if (!s) {
      let name = d.label || 'run';
      for (let i = 2; names.has(name); i++) name = `${d.label || 'run'} (${i})`;
      names.add(name);
      s = { name, docs: [] };
      byKey.set(k, s);
    }
    s.docs.push(d);
  }
  return [...byKey.values()];
}

export interface Stat {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Mean and spread (min..max) of values; NaN-free input assumed. */
export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  return { mean, lo: Math.min(...xs), hi: Math.max(...xs), n };
}

/** Opacity and width of a series given the highlight. */
export function emphasis(name: string, opts: PlotOpts): { opacity: number; width: number } {
  if (!opts.highlight) return { opacity: 1, width: 2 };
  return name === opts.highlight ? { opacity: 1, width: 3.5 } : { opacity: 0.25, width: 1.5 };
}

export function visible(series: Series[], opts: PlotOpts): Series[] {
  return series.filter((s) => !opts.hidden?.has(s.name));
}

/** Runs Plot and returns the SVG (never a figure wrapper: legends are drawn by the app). */
export function render(options: Plot.PlotOptions, opts: PlotOpts, ariaLabel: string): SVGSVGElement {
  // Hover tips need a window (pointer events); a bare document (server-side
  // rendering, the headless runner) gets the same plot without them.
  const interactive = !opts.document || !!opts.document.defaultView;
  if (!interactive && Array.isArray(options.marks))
    options = { ...options, marks: options.marks.filter((m) => !(m instanceof Plot.Tip)) };
  const el = Plot.plot({
    width: opts.width ?? 640,
    height: opts.height ?? 360,
    marginLeft: 56,
    marginBottom: 42,
    style: { fontSize: `${opts.fontSize ?? 12}px`, background: 'white', color: '#222' },
    ...options,
    figure: false,
    ariaLabel,
    ...(opts.document ? { document: opts.document } : {}),
  });
  const svg = el as unknown as SVGSVGElement;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return svg;
}

/** An SVG that says there is nothing to plot (never throws on empty input). */
export function emptySvg(message: string, opts: PlotOpts): SVGSVGElement {
  return render(
    { marks: [Plot.text([message], { frameAnchor: 'middle', fontSize: 14, fill: '#666' })], axis: null },
    { ...opts, height: opts.height ?? 120 },
    message,
  );
}

/** The x axis of every plot against evaluation length: log scale, ticks at 1x, 2x, 4x ... up to the longest factor. */
export function factorAxis(maxF: number) {
  return {
    type: 'log' as const,
    domain: [1, maxF],
    ticks: [1, 2, 4, 8, 16, 32, 64].filter((t) => t <= maxF),
    tickFormat: (d: number) => `${d}x`,
    label: 'evaluation length (multiples of T)',
    grid: true,
  };
}

export const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** The colour scale of every plot: the runs in the lab's order, in the palette's colours (src/report/palette.ts). */
export function colourScale(domain: string[]): { domain: string[]; range: string[]; legend: false } {
  return { domain, range: domain.map((_, i) => runStyle(i).colour), legend: false };
}
