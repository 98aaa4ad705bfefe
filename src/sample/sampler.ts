// Picking the next character from one position's logits, on the CPU in
// float64: temperature, top-k and a seeded draw. The logits come back from
// the GPU once per generated character (src/sample/generate.ts), so this is
// pure arithmetic on V numbers and needs no kernel of its own.
import { ConfigError } from '../errors';
import type { Rng } from '../util/random';

export interface SamplingOptions {
  /** 0: greedy (argmax, lowest id on ties); otherwise logits are divided by it. */
  temperature: number;
  /** Keep only the k most likely ids (0: all). Ties at the k-th logit are kept in id order. */
  topK: number;
}

export function checkSampling(o: SamplingOptions): void {
  if (!Number.isFinite(o.temperature) || o.temperature < 0)
    throw new ConfigError(`temperature must be a finite number >= 0, got ${o.temperature}`);
  if (!Number.isInteger(o.topK) || o.topK < 0) throw new ConfigError(`top-k must be an integer >= 0, got ${o.topK}`);
}

/** The id with the largest logit (the lowest such id on ties). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Ids sorted by logit, largest first; equal logits in id order (a stable sort). */
function ranked(logits: ArrayLike<number>): number[] {
  return Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
}

/**
 * The distribution a draw follows: softmax(logits / temperature) over the
 * top-k ids, zero elsewhere (float64). Temperature 0 puts all mass on argmax.
 */
export function samplingDistribution(logits: ArrayLike<number>, o: SamplingOptions): Float64Array {
  checkSampling(o);
  const V = logits.length;
  const p = new Float64Array(V);
  if (o.temperature === 0) {
    p[argmax(logits)] = 1;
    return p;
  }
  const keep = ranked(logits).slice(0, o.topK > 0 ? o.topK : V);
  const max = logits[keep[0]];
  let z = 0;
  for (const i of keep) z += p[i] = Math.exp((logits[i] - max) / o.temperature);
  for (const i of keep) p[i] /= z;
  return p;
}

/**
 * One draw: inverse CDF of samplingDistribution at one uniform number from
 * `rng`, walking ids in order. Greedy (temperature 0) draws nothing, so the
 * seed's stream is left as it is.
 */
export function pickToken(logits: ArrayLike<number>, o: SamplingOptions, rng: Rng): number {
  if (o.temperature === 0) return argmax(logits);
  const p = samplingDistribution(logits, o);
  const u = rng.next();
  let acc = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    acc += p[i];
    last = i;
    if (u < acc) return i;
  }
  return last; // u within rounding of 1: the last id with mass
}

export interface Prediction {
  token: number;
  p: number;
}

/** The k most likely next ids under the model's own distribution (temperature 1, no top-k), float64. */
export function topPredictions(logits: ArrayLike<number>, k = 5): Prediction[] {
  const p = samplingDistribution(logits, { temperature: 1, topK: 0 });
  return ranked(logits)
    .slice(0, k)
    .map((token) => ({ token, p: p[token] }));
}
