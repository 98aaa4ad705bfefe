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
  /** Evaluation diagnostics (attention mixers that planned them): recorded after the forward, from what it left. */
  recordDiagnostics?(p: Program): void;
}
