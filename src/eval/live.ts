// The live evaluation: while a model trains, a quick look at its loss against
// length (1x, 4x and 16x T on a couple of windows) every few steps, so the
// lab can draw the gap between mechanisms opening as the models learn. It is
// the evaluator itself (evaluateLengths) on fewer lengths and windows, run
// between training steps in its own submits: it reads the parameters, draws
// nothing from the training sampler's random numbers, and writes only its own
// graph's buffers (and the loss slot of the stats buffer, which the next step
// overwrites before anything reads it), so training computes the same bits
// with it on or off (tests/gpu/live_eval.test.ts).

import type { GptModel } from '../model/gpt';
import { type EvalConfig, type EvalData, evaluateLengths } from './lengths';

/** The factors of T a live evaluation reads, where the run's evaluation has them. */
export const LIVE_FACTORS = [1, 4, 16] as const;
/** Windows per length: few, so a live evaluation costs a few training steps (npm run bench:train). */
export const LIVE_WINDOWS = 2;

export interface LivePoint {
  factor: number;
  length: number;
  /** Mean loss over the live windows (nats/token). */
  loss: number;
}

export interface LiveEval {
  /** Training steps completed when the model was read. */
  step: number;
  points: LivePoint[];
}

/**
 * The factors a live evaluation reads: 1x, 4x and 16x where the run evaluates
 * them (so every live graph is one the run's limit check already covered),
 * else the run's shortest and longest.
 */
export function liveFactors(factors: readonly number[]): number[] {
  const own = LIVE_FACTORS.filter((f) => factors.includes(f));
  if (own.length) return own;
  return [...new Set([Math.min(...factors), Math.max(...factors)])];
}

/** Whether a live evaluation follows step `step` (1-based) of `steps`: every `every` steps, not after the last. */
export function liveEvalDue(step: number, steps: number, every: number): boolean {
  return every > 0 && step < steps && step % every === 0;
}

/**
 * Evaluates `model` (trained at T) at the live factors on the first
 * LIVE_WINDOWS of the final evaluation's windows (the same seed and window
 * length, so they are a subset of its windows). Diagnostics off.
 */
export async function liveEvaluation(
  model: GptModel,
  data: EvalData,
  T: number,
  step: number,
  evaluation: EvalConfig,
  streamTokens?: Uint32Array,
): Promise<LiveEval> {
  const factors = evaluation.lengths.length ? [] : liveFactors(evaluation.factors);
  const maxL = Math.max(...evaluation.factors) * T;
  const cfg: EvalConfig = {
    ...evaluation,
    factors,
    lengths: factors.length ? [] : [T],
    windows: Math.min(LIVE_WINDOWS, evaluation.windows),
    diagnostics: false,
    windowLength: maxL,
  };
  // SYNC: logging point — the live evaluation reads each length's losses back (between steps, own submits).
  const r = await evaluateLengths(model, data, T, cfg, {}, streamTokens);
  return { step, points: r.lengths.map((l) => ({ factor: l.factor, length: l.length, loss: l.meanLoss })) };
}
