// The page the headless runner (scripts/experiment.mjs) drives in Chromium:
// it owns the WebGPU device and the engine, and exposes a small API on
// `window.__runner` that the CLI calls once per run, so the CLI keeps the
// order, the progress bars and the files. Runs go through the same
// loadData/executeRun as the lab; the plot is the lab's own SVG.

import { lossTableMarkdown } from '../app/plots/lossTable';
import { type LengthPoint, lossVsLengthPoints, lossVsLengthSvg } from '../app/plots/lossVsLength';
import { type Corpus, loadBrown } from '../src/data/corpus';
import { Engine, requestDevice } from '../src/engine';
import { parseResults, type ResultsDoc } from '../src/eval/results';
import { checkRunConfig, type RunConfig } from '../src/experiment/run_config';
import { executeRun, loadData, type Progress } from '../src/experiment/runner';

export interface RunnerApi {
  /** Requests the device; returns the adapter's description. */
  init(): Promise<string>;
  /** Loads each run's data and checks it can serve the run, before any training; returns the first problem, or null. */
  check(runs: unknown[], userText: string | null): Promise<string | null>;
  /** Trains and evaluates one run; progress goes to `window.__progress` (exposed by the CLI). */
  run(run: unknown, userText: string | null): Promise<ResultsDoc>;
  /** Renders the loss-vs-length plot, titled and with a legend, into #plot; returns it as standalone SVG text. */
  plot(docs: unknown[], width: number, height: number, title: string): string;
  /** The same documents as a markdown table (loss per factor, spread over seeds, ratio, baselines). */
  table(docs: unknown[]): string;
}

declare global {
  interface Window {
    __runner?: RunnerApi;
    __progress?: (p: Progress) => void;
  }
}

let engine: Engine | null = null;
let adapterInfo = { vendor: '', architecture: '', description: '' };
let brown: Promise<Corpus> | null = null;
// Loaded once: every run of an experiment reads the same corpus.
const sources = (userText: string | null) => ({
  brown: () => (brown ??= loadBrown()),
  ...(userText === null ? {} : { userText }),
});

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const api: RunnerApi = {
  async init() {
    const { device, adapter } = await requestDevice();
    device.lost.then((info) => console.error(`WebGPU device lost: ${info.message}`));
    engine = new Engine(device);
    const i = adapter.info;
    adapterInfo = { vendor: i.vendor, architecture: i.architecture, description: i.description };
    return [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter';
  },

  async check(runs, userText) {
    for (const [i, r] of runs.entries()) {
      try {
        await loadData(checkRunConfig(r), sources(userText));
      } catch (e) {
        return `run ${i + 1}: ${message(e)}`;
      }
    }
    return null;
  },

  async run(r, userText) {
    if (!engine) throw new Error('the runner page was not initialised');
    const run: RunConfig = checkRunConfig(r);
    const data = await loadData(run, sources(userText));
    const doc = await executeRun(engine, run, data, adapterInfo, { onProgress: (p) => window.__progress?.(p) });
    return parseResults(JSON.parse(JSON.stringify(doc)));
  },

  plot(docs, width, height, title) {
    const host = document.getElementById('plot') as HTMLElement;
    const parsed = docs.map((d) => parseResults(d));
    const svg = lossVsLengthSvg(parsed, { width, height });
    host.replaceChildren(svg);
    labelVariants(svg, lossVsLengthPoints(parsed), width);
    frame(svg, width, height, title);
    return new XMLSerializer().serializeToString(svg);
  },

  table(docs) {
    return lossTableMarkdown(docs.map((d) => parseResults(d)));
  },
};

const SVG_NS = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

type Scale = { domain: string[]; range: string[]; apply: (x: unknown) => number };
const scaleOf = (svg: SVGSVGElement, name: string) =>
  (svg as unknown as { scale?: (n: string) => Scale | undefined }).scale?.(name);

/**
 * Variant lines (re-weighting sweeps, hybridskip) share their run's colour,
 * dashed; the lab names them in a tooltip, a file has none, so each gets its
 * name at its last point.
 */
function labelVariants(svg: SVGSVGElement, points: LengthPoint[], width: number): void {
  const x = scaleOf(svg, 'x');
  const y = scaleOf(svg, 'y');
  if (!x || !y) return;
  const labels: { x: number; y: number; text: string }[] = [];
  for (const name of new Set(points.map((p) => p.series))) {
    const pts = points.filter((p) => p.series === name);
    if (name === pts[0].run) continue;
    const last = pts.reduce((a, b) => (b.factor > a.factor ? b : a));
    labels.push({
      x: x.apply(last.factor),
      y: y.apply(last.mean) + 3,
      text: name.slice(pts[0].run.length).replace(/^ · /, ''),
    });
  }
  // Right of the line's end when there is room, else left of it; lines that end together are spread 11 px apart.
  const g = el('g', { 'font-size': 10, fill: '#444' });
  for (const at of new Set(labels.map((l) => Math.round(l.x)))) {
    const group = labels.filter((l) => Math.round(l.x) === at).sort((a, b) => a.y - b.y);
    const right = at + 8 + 6 * Math.max(...group.map((l) => l.text.length)) < width;
    group.forEach((l, i) => {
      if (i > 0) l.y = Math.max(l.y, group[i - 1].y + 11);
      g.appendChild(el('text', { x: right ? at + 8 : at - 8, y: l.y, 'text-anchor': right ? 'start' : 'end' }, l.text));
    });
  }
  svg.appendChild(g);
}

/**
 * The lab draws its legends in HTML around the plot; a standalone file needs
 * its own. Adds a title above and a legend below (the plot's own colour
 * scale: one entry per run), growing the SVG to fit.
 */
function frame(svg: SVGSVGElement, width: number, height: number, title: string): void {
  const scale = scaleOf(svg, 'color');
  const names = scale?.domain ?? [];
  const top = title ? 30 : 0;
  const body = el('g', { transform: `translate(0, ${top})` });
  for (const c of [...svg.childNodes]) if (!(c instanceof SVGStyleElement)) body.appendChild(c);
  svg.appendChild(body);
  if (title)
    svg.appendChild(
      el('text', { x: 8, y: 20, 'text-anchor': 'start', 'font-size': 15, 'font-weight': 600, fill: '#222' }, title),
    );
  // Flow layout: items left to right, wrapping at the plot's width.
  const legend = el('g', { transform: `translate(0, ${top + height + 6})`, 'text-anchor': 'start', 'font-size': 12 });
  let x = 12;
  let y = 10;
  for (const [i, name] of names.entries()) {
    const w = 34 + 7 * name.length;
    if (x + w > width && x > 12) {
      x = 12;
      y += 20;
    }
    const colour = scale!.range[i % scale!.range.length];
    legend.appendChild(el('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: colour, 'stroke-width': 2.5 }));
    legend.appendChild(el('text', { x: x + 28, y: y + 4, fill: '#222' }, name));
    x += w + 14;
  }
  svg.appendChild(legend);
  const total = top + height + (names.length ? y + 16 : 0);
  svg.setAttribute('height', String(total));
  svg.setAttribute('viewBox', `0 0 ${width} ${total}`);
}

window.__runner = api;
