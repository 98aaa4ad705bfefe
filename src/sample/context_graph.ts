// One fused evaluation graph of a context of `length` tokens, for sampling:
// the model's next-token logits after any prefix of it (the tokens after the
// prefix are padding that causal attention never reads). The sliding window
// and the recomputed growing context run it every character; the incremental
// path (src/sample/incremental.ts) runs it once, on the prompt, and keeps its
// keys and values as the cache.
import { IGNORE_TARGET } from '../kernels/crossentropy';
import { type GptModel, Graph } from '../model/gpt';
import type { Mixer } from '../model/mixer';
import { reweightFor } from '../model/reweight_rule';

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

  /** Layer l's token mixer (the incremental path reads an attention layer's keys and values). */
  mixer(l: number): Mixer {
    return this.graph.mixer(l);
  }

  destroy(): void {
    this.graph.destroy();
  }
}
