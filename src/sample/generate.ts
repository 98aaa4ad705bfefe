// Continuing text with a trained model: every next character's logits come
// from the lab's own forward kernels (the fused evaluation path, memory linear
// in the context length), and the pick is made on the CPU
// (src/sample/sampler.ts). Two contexts (docs/engine.md, "Sampling"):
//
// 'slide' (default): a window of fixed length L. The prompt fills it (left
// aligned when shorter), and once full it slides, the oldest character
// leaving as each new one enters, so every character is predicted from at
// most L characters. Every step recomputes the whole window (one forward
// submit), for every mechanism: when the window slides, the first token
// leaves and every deeper layer's keys and values change with it, so a
// key/value cache would be wrong from the second layer on.
//
// 'grow': the prompt (at most L characters) is read once and the context then
// grows by each generated character, never sliding, as a reader continues a
// passage. Where every layer allows it (incrementalSupport), keys and values
// are cached and each character runs only its own row (src/sample/incremental.ts);
// otherwise the whole growing context is recomputed each character in a graph
// sized to its final length. Either way, tokens past the text are padding
// that causal attention never reads.

import type { GptModel } from '../model/gpt';
import { deriveSeed, Rng } from '../util/random';
import { ContextGraph } from './context_graph';
import { type ContextMode, type ContinuationPath, grownLength } from './context_mode';
import { IncrementalContext } from './incremental';
import { checkGrowFits, incrementalSupport } from './incremental_support';
import { checkSampling, pickToken, type SamplingOptions } from './sampler';

export { ContextGraph } from './context_graph';
export { grownLength } from './context_mode';

export interface ContinueOptions extends SamplingOptions {
  /** Characters to generate. */
  chars: number;
  /** Seed of the draws: the same seed, prompt and model give the same text. */
  seed: number;
  /** fixedseqqk: the fixed passage, at least as long as the context grows. */
  streamTokens?: Uint32Array;
  /** Default 'slide'. */
  context?: ContextMode;
  /** 'grow' only: recompute every character even where the cache is allowed (tests, benchmarks). */
  recompute?: boolean;
}

export interface Continuation {
  tokens: Uint32Array;
  /** Wall time of the generation (graph built, every step, every readback). */
  seconds: number;
  path: ContinuationPath;
}

/**
 * Continues `prompt` by `opts.chars` tokens from a context of `length` tokens
 * (the prompt's last ones kept): a window that slides, or (context 'grow') one
 * that grows from the prompt.
 */
export async function continueTokens(
  model: GptModel,
  prompt: Uint32Array,
  length: number,
  opts: ContinueOptions,
): Promise<Continuation> {
  checkSampling(opts);
  if (prompt.length < 1) throw new RangeError('the prompt is empty');
  if (!Number.isInteger(opts.chars) || opts.chars < 0)
    throw new RangeError(`characters to generate must be an integer >= 0, got ${opts.chars}`);
  const grow = (opts.context ?? 'slide') === 'grow';
  const start = prompt.subarray(Math.max(0, prompt.length - length));
  const rows = grow ? grownLength(start.length, opts.chars) : length;
  let path: ContinuationPath = 'slide';
  if (grow) {
    // One line, before anything is allocated.
    checkGrowFits(model.config, start.length, opts.chars, model.ctx.device.limits);
    path = !opts.recompute && incrementalSupport(model.config).incremental ? 'grow-cache' : 'grow-recompute';
  }
  const t0 = performance.now();
  const rng = new Rng(deriveSeed(opts.seed, 'sample'));
  const ctx =
    path === 'grow-cache'
      ? new IncrementalContext(model, rows, opts.streamTokens)
      : new ContextGraph(model, rows, opts.streamTokens);
  const out = new Uint32Array(opts.chars);
  try {
    const text = Array.from(start);
    for (let i = 0; i < opts.chars; i++) {
      const logits = await ctx.nextLogits(Uint32Array.from(grow ? text : text.slice(-length)));
      out[i] = pickToken(logits, opts, rng);
      text.push(out[i]);
    }
  } finally {
    ctx.destroy();
  }
  return { tokens: out, seconds: (performance.now() - t0) / 1000, path };
}
