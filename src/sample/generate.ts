// Continuing text with a trained model: every next character's logits come
// from the lab's own forward kernels, the fused evaluation graph (memory
// linear in the context length), and the pick is made on the CPU
// (src/sample/sampler.ts).
//
// The context is a window of fixed length L: the prompt fills it (left
// aligned when shorter), and once full it slides, the oldest character
// leaving as each new one enters, so every character is predicted from at
// most L characters. Every step recomputes the whole window (one forward
// submit), for every mechanism: when the window slides, the first token
// leaves and every deeper layer's keys and values change with it, so a
// key/value cache would be wrong from the second layer on (docs/engine.md).
// While the window is still filling, tokens past the last one are padding
// that causal attention never reads.
import { IGNORE_TARGET } from '../kernels/crossentropy';
import { type GptModel, Graph } from '../model/gpt';
import { reweightFor } from '../model/reweight_rule';
import { deriveSeed, Rng } from '../util/random';
import { checkSampling, pickToken, type SamplingOptions } from './sampler';

export interface ContinueOptions extends SamplingOptions {
  /** Characters to generate. */
  chars: number;
  /** Seed of the draws: the same seed, prompt and model give the same text. */
  seed: number;
  /** fixedseqqk: the fixed passage, at least `length` tokens. */
  streamTokens?: Uint32Array;
}

export interface Continuation {
  tokens: Uint32Array;
  /** Wall time of the generation (graph built, every step, every readback). */
  seconds: number;
}

/**
 * A fused evaluation graph of one window of `length` tokens: the model's
 * next-token logits at any position, after any prefix of the window.
 */
export class ContextGraph {
  private readonly graph: Graph;
  private readonly input: Uint32Array;
  private readonly target: Uint32Array;

  constructor(
    readonly model: GptModel,
    readonly length: number,
    streamTokens?: Uint32Array,
  ) {
    this.graph = new Graph(model, 1, length, {
      training: false,
      fused: true,
      reweightP: reweightFor(model.config, false),
      streamTokens,
    });
    this.input = new Uint32Array(length);
    // No position is scored: only the logits are read.
    this.target = new Uint32Array(length).fill(IGNORE_TARGET);
  }

  /** Runs the window (tokens beyond `window.length` are padding) and reads the logits after its last token. */
  async nextLogits(window: Uint32Array): Promise<Float32Array> {
    const n = window.length;
    if (n < 1 || n > this.length) throw new RangeError(`a window of 1..${this.length} tokens, got ${n}`);
    this.input.fill(0);
    this.input.set(window);
    this.graph.setBatch(this.input, this.target);
    this.graph.forward.run();
    const V = this.model.config.vocabSize;
    const base = (this.graph.logits.offset ?? 0) / 4;
    // SYNC: logging point — one row of V logits per generated character.
    return this.model.ctx.read(this.graph.logits.buffer, V, base + (n - 1) * V);
  }

  destroy(): void {
    this.graph.destroy();
  }
}

/** Continues `prompt` by `opts.chars` tokens within a context of `length` tokens (the prompt's last ones kept). */
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
  const t0 = performance.now();
  const rng = new Rng(deriveSeed(opts.seed, 'sample'));
  const ctx = new ContextGraph(model, length, opts.streamTokens);
  const out = new Uint32Array(opts.chars);
  try {
    const text = Array.from(prompt.subarray(Math.max(0, prompt.length - length)));
    for (let i = 0; i < opts.chars; i++) {
      const logits = await ctx.nextLogits(Uint32Array.from(text.slice(-length)));
      out[i] = pickToken(logits, opts, rng);
      text.push(out[i]);
    }
  } finally {
    ctx.destroy();
  }
  return { tokens: out, seconds: (performance.now() - t0) / 1000 };
}
