// The page the headless runner (scripts/experiment.ts) drives in Chromium.
// It hosts the same run host as the lab's worker (src/host/core.ts), over the
// same commands and events, and exposes a small API on `window.__runner`
// that the CLI calls once per run, so the CLI keeps the order, the progress
// bars and the files. The plots are the lab's own SVGs, framed as a file.

import { parseResults, type ResultsDoc } from '../src/eval/results';
import { encodeWeights, type WeightsBlock } from '../src/eval/weights_block';
import type { RunConfig } from '../src/experiment/run_config';
import type { ExportFile } from '../src/export/bundle';
import { LabCore } from '../src/host/core';
import type { Command, Event, Progress } from '../src/host/protocol';
import { answerFigureFor } from '../src/report/answerData';
import { type FigurePart, figureFileSvg } from '../src/report/figureFile';
import { lossTableMarkdown } from '../src/report/lossTable';
import type { SampleRequest, SampleResult } from '../src/sample/request';

export interface RunnerApi {
  /** Requests the device; returns the adapter's description. */
  init(): Promise<string>;
  /**
   * Checks every run before any trains: its config, its data (loaded), and
   * the device's limits. Returns the first problem, or null.
   */
  check(runs: unknown[], userText: string | null): Promise<string | null>;
  /**
   * Trains and evaluates one run; progress goes to `window.__progress` (exposed by the CLI). With
   * `torchExport`, the run's PyTorch export is kept for `takeExport`.
   */
  run(run: unknown, userText: string | null, torchExport?: boolean): Promise<ResultsDoc>;
  /** The last run's PyTorch export files (text as is, bytes in base64), once; null if none. */
  takeExport(): WireFile[] | null;
  /** The last finished run's weights (kept by the run host) as the block of its results document. */
  weights(doc: Pick<ResultsDoc, 'createdAt' | 'seed'>): Promise<WeightsBlock>;
  /** Continues text with the last finished run's weights (kept by the run host). */
  sample(request: SampleRequest): Promise<SampleResult>;
  /**
   * Renders the figure file into #plot and returns it as standalone SVG text: titled, the experiment's answer
   * figure (its preset's, found by the title or the runs' labels) above the loss-vs-length plot and its legend,
   * or one of the two (`part`).
   */
  plot(docs: unknown[], width: number, height: number, title: string, part?: FigurePart): string;
  /** The same documents as a markdown table (loss per factor, spread over seeds, ratio, baselines). */
  table(docs: unknown[]): string;
}

/** An export file across page.evaluate (which carries JSON): bytes travel as base64. */
export type WireFile = { name: string; text: string } | { name: string; base64: string };

function toWire(f: ExportFile): WireFile {
  if (typeof f.data === 'string') return { name: f.name, text: f.data };
  let bin = '';
  for (let i = 0; i < f.data.length; i += 0x8000) bin += String.fromCharCode(...f.data.subarray(i, i + 0x8000));
  return { name: f.name, base64: btoa(bin) };
}

let lastExport: WireFile[] | null = null;

declare global {
  interface Window {
    __runner?: RunnerApi;
    __progress?: (p: Progress) => void;
  }
}

type Ready = Extract<Event, { type: 'ready' }>;
type Outcome = Extract<Event, { type: 'checked' | 'results' | 'samples' | 'weights' }>;

let ready: (e: Ready) => void = () => {};
/** The command awaiting its last event, by run id (one at a time: the CLI awaits each call). */
const waiting = new Map<string, { done: (e: Outcome) => void; fail: (e: Error) => void }>();

function onEvent(e: Event): void {
  if (e.type === 'ready') ready(e);
  else if (e.type === 'progress') window.__progress?.(e);
  else if (e.runId === null) console.error(`run host: ${e.type === 'error' ? e.message : e.type}`);
  else if (
    e.type === 'checked' ||
    e.type === 'results' ||
    e.type === 'samples' ||
    e.type === 'weights' ||
    e.type === 'error' ||
    e.type === 'stopped'
  ) {
    const w = waiting.get(e.runId);
    waiting.delete(e.runId);
    if (e.type === 'error') w?.fail(new Error(e.message));
    else if (e.type === 'stopped') w?.fail(new Error(`stopped at step ${e.step}`));
    else w?.done(e);
  }
}

// The headless runner writes results files: the lab's attention-map heatmaps and live evaluations are not computed.
const core = new LabCore(onEvent, { attentionMaps: false, liveEval: false });
let runs = 0;

/** Sends a run-scoped command; resolves with its outcome ('checked', 'results', 'samples', 'weights'), or rejects. */
function request(cmd: Extract<Command, { type: 'check' | 'start' | 'sample' | 'weights' }>): Promise<Outcome> {
  return new Promise((done, fail) => {
    waiting.set(cmd.runId, { done, fail });
    void core.handle(cmd);
  });
}

const text = (userText: string | null) => (userText === null ? {} : { userText });

const api: RunnerApi = {
  async init() {
    const r = await new Promise<Ready>((resolve) => {
      ready = resolve;
      void core.handle({ type: 'hello' });
    });
    if (!r.gpu) throw new Error(r.reason);
    const a = r.adapter;
    return [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown adapter';
  },

  async check(configs, userText) {
    for (const [i, r] of configs.entries()) {
      try {
        await request({ type: 'check', runId: `check ${i + 1}`, run: r as RunConfig, ...text(userText) });
      } catch (e) {
        return `run ${i + 1}: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return null;
  },

  async run(r, userText, torchExport = false) {
    lastExport = null;
    const runId = `run ${++runs}`;
    const e = await request({ type: 'start', runId, run: r as RunConfig, ...text(userText), torchExport });
    if (e.type !== 'results') throw new Error(`the run host answered '${e.type}' to a start`);
    if (e.torch) lastExport = e.torch.map(toWire);
    return parseResults(JSON.parse(JSON.stringify(e.doc)));
  },

  async weights(doc) {
    const e = await request({ type: 'weights', runId: `run ${runs}` });
    if (e.type !== 'weights') throw new Error(`the run host answered '${e.type}' to a weights request`);
    return encodeWeights(doc, e);
  },

  async sample(req) {
    const e = await request({ type: 'sample', runId: `run ${runs}`, request: req });
    if (e.type !== 'samples') throw new Error(`the run host answered '${e.type}' to a sample`);
    return e.result;
  },

  takeExport() {
    const files = lastExport;
    lastExport = null;
    return files;
  },

  plot(docs, width, height, title, part = 'both') {
    const parsed = docs.map((d) => parseResults(d));
    const svg = figureFileSvg(parsed, answerFigureFor(parsed, title), width, height, title, part);
    (document.getElementById('plot') as HTMLElement).replaceChildren(svg);
    return new XMLSerializer().serializeToString(svg);
  },

  table(docs) {
    return lossTableMarkdown(docs.map((d) => parseResults(d)));
  },
};

window.__runner = api;
