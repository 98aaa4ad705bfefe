// Validation loss against evaluation length (spec: experiments.md, "Validation
// loss at length L"): the same fixed windows at every length, fused attention
// (memory linear in L), mean / tail / per-position loss, and per-head
// attention diagnostics.

import { evalWindows, packWindows, windowAt } from '../data/batch';
import type { Corpus } from '../data/corpus';
import { IGNORE, type SyntheticTask } from '../data/synthetic';
import { AttentionMixer } from '../model/attention_mixer';
import { type GptModel, Graph } from '../model/gpt';
import { reweightFor } from '../model/reweight_rule';
import { deriveSeed, Rng } from '../util/random';
import { windowsPerChunk } from './chunk';
import { WindowStats } from './window_stats';

export { DEFAULT_EVAL, type EvalConfig } from './config';

import type { EvalConfig } from './config';

export interface EvalVariant {
  /** Re-weighting exponent at evaluation (null: off); undefined: the model's own setting. */
  reweightP?: number | null;
  hybridskip?: boolean;
  /**
   * false: the training path's kernels (attention weights materialised),
   * to check the fused kernels against; no diagnostics. Default true.
   */
  fused?: boolean;
  /** Windowed evaluation (fused only): each query sees only its last `window` keys. */
  window?: number;
}

export interface LengthResult {
  length: number;
  /** length / T */
  factor: number;
  windows: number;
  /** Mean loss over all positions (nats/token). */
  meanLoss: number;
  /** Mean loss over the last T positions. */
  tailLoss: number;
  /** Mean loss per bucket of `bucketSize` positions (the last bucket may be shorter). */
  positions: number[];
  bucketSize: number;
  /** Standard errors over windows (of the per-window means) of meanLoss, tailLoss and each bucket. */
  meanLossSe?: number;
  tailLossSe?: number;
  positionsSe?: number[];
  /** Windowed entries: the full-context mean loss at this length, and full minus windowed. */
  fullLoss?: number;
  fullMinusWindowed?: number;
}

export interface HeadDiagnostics {
  length: number;
  layer: number;
  head: number;
  entropy: number;
  sinkMass: number;
  localFocus: number;
  meanDistance: number;
}

export interface LengthsResult {
  lengths: LengthResult[];
  diagnostics: HeadDiagnostics[];
  seconds: number;
  tokens: number;
  /** Peak bytes held by the engine's buffers during each length's evaluation. */
  peakBytes: { length: number; bytes: number }[];
}

export function evalLengths(T: number, cfg: EvalConfig): number[] {
  const ls = cfg.lengths.length ? cfg.lengths : cfg.factors.map((f) => f * T);
  for (const l of ls)
    if (!Number.isInteger(l) || l < 1) throw new Error(`evaluation lengths must be positive integers, got ${l}`);
  return ls;
}

/** What is evaluated: validation text, or a synthetic task's seeded examples. */
export type EvalData = Corpus | SyntheticTask;

export const isTask = (d: EvalData): d is SyntheticTask => 'make' in d;

/** The evaluation inputs at each length: text windows from fixed starts, or seeded task examples. */
function windowSource(
  data: EvalData,
  cfg: EvalConfig,
  maxL: number,
  T: number,
): { count: number; at: (L: number) => { input: Uint32Array; target: Uint32Array }[] } {
  if (isTask(data)) {
    return {
      count: cfg.windows,
      at: (L) => {
        const rng = new Rng(cfg.seed * 7919 + L);
        return Array.from({ length: cfg.windows }, () => data.make(L, rng, T));
      },
    };
  }
  const starts = evalWindows(data.validation, cfg.windows, maxL, cfg.seed);
  if (cfg.placement !== 'shifted')
    return { count: starts.length, at: (L) => starts.map((w) => windowAt(data.validation, w, L)) };
  // Shifted: window w of length L starts at an offset in [0, maxL - L] of its region, drawn
  // per length from the evaluation seed (the longest window still fits, so every start is valid).
  return {
    count: starts.length,
    at: (L) => {
      const rng = new Rng(deriveSeed(cfg.seed, `eval-offsets-${L}`));
      return starts.map((w) => windowAt(data.validation, { ...w, start: w.start + rng.int(maxL - L + 1) }, L));
    },
  };
}

/**
 * Evaluates `model` (trained at length T) at every length of `cfg` on the
 * same validation windows. `streamTokens` is fixedseqqk's passage (at least
 * the longest length).
 */
export async function evaluateLengths(
  model: GptModel,
  data: EvalData,
  T: number,
  cfg: EvalConfig,
  variant: EvalVariant = {},
  streamTokens?: Uint32Array,
): Promise<LengthsResult> {
  const ctx = model.ctx;
  const t0 = performance.now();
  const lengths = evalLengths(T, cfg);
  const maxL = Math.max(...lengths);
  const source = windowSource(data, cfg, Math.max(maxL, cfg.windowLength ?? 0), T);
  const reweightP = variant.reweightP === undefined ? reweightFor(model.config, false) : variant.reweightP;
  const out: LengthsResult = { lengths: [], diagnostics: [], seconds: 0, tokens: 0, peakBytes: [] };
  for (const L of lengths) {
    ctx.resetPeak();
    const wins = source.at(L);
    const B = Math.min(wins.length, windowsPerChunk(model.config, L, ctx.device.limits));
    const graph = new Graph(model, B, L, {
      training: false,
      fused: variant.fused ?? true,
      diagnostics: cfg.diagnostics && (variant.fused ?? true),
      reweightP,
      skipNonSoftmax: variant.hybridskip,
      streamTokens,
      window: variant.window,
    });
    try {
      const posSum = new Float64Array(L);
      const posCount = new Float64Array(L);
      const perWindow = new WindowStats(L, T, cfg.buckets);
      const diagSum = new Map<number, Float64Array>(); // layer -> [H*4]
      let diagRows = 0;
      for (let c0 = 0; c0 < wins.length; c0 += B) {
        const part = wins.slice(c0, c0 + B);
        const { input, target } = packWindows(part, B, L);
        graph.setBatch(input, target);
        graph.forward.run();
        // Only the first chunk's diagnostics are read (readDiagnostics), so only it computes them.
        if (c0 === 0) graph.diagnostics?.run();
        // SYNC: evaluation point — per-token losses of this chunk.
        const losses = await ctx.read(graph.losses.buffer, B * L);
        // Only scored positions count (tasks score a few; text scores all).
        for (let i = 0; i < part.length; i++) {
          for (let t = 0; t < L; t++) {
            if (target[i * L + t] === IGNORE) continue;
            posSum[t] += losses[i * L + t];
            posCount[t]++;
          }
          perWindow.add(losses.subarray(i * L, (i + 1) * L), target.subarray(i * L, (i + 1) * L));
        }
        out.tokens += part.length * L;
        if (cfg.diagnostics && c0 === 0) diagRows = await readDiagnostics(graph, model, part.length, L, diagSum);
      }
      out.lengths.push({ ...summarise(L, T, wins.length, posSum, posCount, cfg.buckets), ...perWindow.errors() });
      for (const [layer, sums] of diagSum) {
        for (let h = 0; h < model.config.nHead; h++) {
          const d = (k: number) => sums[h * 4 + k] / diagRows;
          out.diagnostics.push({
            length: L,
            layer,
            head: h,
            entropy: d(0),
            sinkMass: d(1),
            localFocus: d(2),
            meanDistance: d(3),
          });
        }
      }
    } finally {
      graph.destroy();
    }
    out.peakBytes.push({ length: L, bytes: ctx.peakBytes });
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

/** Sums the first `rows` windows' per-row diagnostics, per layer and head; returns rows per head summed. */
async function readDiagnostics(
  graph: Graph,
  model: GptModel,
  rows: number,
  L: number,
  into: Map<number, Float64Array>,
): Promise<number> {
  const H = model.config.nHead;
  for (let l = 0; l < model.config.nLayer; l++) {
    const m = graph.mixer(l);
    if (!(m instanceof AttentionMixer) || !m.diagnostics) continue;
    if (graph.options.skipNonSoftmax && model.config.layers[l] !== 'softmax') continue;
    // SYNC: evaluation point — diagnostics [B,H,L,4] of the first chunk.
    const d = await model.ctx.read(m.diagnostics.buffer, rows * H * L * 4);
    const sums = new Float64Array(H * 4);
    for (let b = 0; b < rows; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < L; i++) for (let k = 0; k < 4; k++) sums[h * 4 + k] += d[((b * H + h) * L + i) * 4 + k];
    into.set(l, sums);
  }
  return rows * L;
}

function summarise(
  L: number,
  T: number,
  windows: number,
  posSum: Float64Array,
  posCount: Float64Array,
  buckets: number,
): LengthResult {
  let total = 0,
    count = 0,
    tail = 0,
    tailCount = 0;
  for (let t = 0; t < L; t++) {
    total += posSum[t];
    count += posCount[t];
    if (t >= L - T) {
      tail += posSum[t];
      tailCount += posCount[t];
    }
  }
  const bucketSize = Math.max(1, Math.ceil(L / Math.max(1, buckets)));
  const positions: number[] = [];
  for (let s = 0; s < L; s += bucketSize) {
    let a = 0,
      n = 0;
    for (let t = s; t < Math.min(L, s + bucketSize); t++) {
      a += posSum[t];
      n += posCount[t];
    }
    positions.push(n ? a / n : 0);
  }
  return {
    length: L,
    factor: L / T,
    windows,
    meanLoss: count ? total / count : 0,
    tailLoss: tailCount ? tail / tailCount : 0,
    positions,
    bucketSize,
  };
}
