// The token-mixing sub-layer of a block is a pluggable unit: it maps the
// normalised hidden state [N, C] to the residual update [N, C], owning its
// projections. Attention mechanisms, the gated MLP and the scan all fit it.
import type { Binding } from '../gpu/context';
import type { Program } from '../gpu/program';

export interface Mixer {
  /** out[N, C] (written) from inp[N, C]. */
  forward(p: Program, out: Binding, inp: Binding): void;
  /** dinp[N, C] written from dout[N, C] and the forward input; parameter gradients accumulated. */
  backward(p: Program, dinp: Binding, dout: Binding, inp: Binding): void;
}

/** Allocates activation buffers for one graph; all freed together. */
export interface Allocator {
  (label: string, floats: number): Binding;
  /** The queue, for buffers filled once when the graph is built. */
  queue: GPUQueue;
}

/**
 * Buffers one graph's layers can share because they are used one layer at a
 * time (gradient scratch) or are the same for every layer (RoPE table).
 */
export class SharedScratch {
  private cache = new Map<string, Binding>();
  constructor(private alloc: Allocator) {}
  /** A buffer of `floats` under `key`, allocated on first use. */
  get(key: string, floats: number, fill?: Float32Array): Binding {
    let b = this.cache.get(key);
    if (!b) {
      b = this.alloc(key, floats);
      if (fill) this.alloc.queue.writeBuffer(b.buffer, 0, fill.buffer, fill.byteOffset, fill.byteLength);
      this.cache.set(key, b);
    }
    return b;
  }
}
