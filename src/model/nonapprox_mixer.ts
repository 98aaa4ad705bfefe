// `nonapprox` (Deconstructing's "Non-approximate"): no pairwise scores.
// q = silu(x W_Q), k = x W_K, one scalar per position s_j = q_j.k_j/sqrt(hd),
// o_i = causal running softmax-weighted mean of v (a linear-time scan).
// Positional schemes have no effect here: q and k share a position.
import type { Binding } from '../gpu/context';
import type { Program } from '../gpu/program';
import { heads_merge_backward, heads_merge_forward, qkv_split_backward, qkv_split_forward } from '../kernels/heads';
import { matmul_backward, matmul_forward } from '../kernels/matmul';
import { nonapprox_backward, nonapprox_forward } from '../kernels/nonapprox';
import { silu_backward, silu_forward } from '../kernels/silu';
import type { AttentionWeights } from './attention_mixer';
import type { Allocator, Mixer } from './mixer';
import type { Shapes } from './shapes';

export class NonapproxMixer implements Mixer {
  private qkv: Binding;
  private q: Binding;
  private qs: Binding;
  private k: Binding;
  private v: Binding;
  private y: Binding;
  private stats: Binding;
  private ym: Binding;
  private g: Record<'qkv' | 'q' | 'qs' | 'k' | 'v' | 'y' | 'ym', Binding> | null = null;

  constructor(
    private s: Shapes,
    private w: AttentionWeights,
    alloc: Allocator,
    training: boolean,
  ) {
    const { N, C, B, H, T, hd } = s;
    const nh = B * H * T * hd;
    this.qkv = alloc('qkv', N * 3 * C);
    this.q = alloc('q', nh);
    this.qs = alloc('q_silu', nh);
    this.k = alloc('k', nh);
    this.v = alloc('v', nh);
    this.y = alloc('y', nh);
    this.stats = alloc('scan_stats', B * H * T * 2);
    this.ym = alloc('y_merged', N * C);
    if (training) {
      this.g = {
        qkv: alloc('d_qkv', N * 3 * C),
        q: alloc('d_q', nh),
        qs: alloc('d_q_silu', nh),
        k: alloc('d_k', nh),
        v: alloc('d_v', nh),
        y: alloc('d_y', nh),
        ym: alloc('d_y_merged', N * C),
      };
    }
  }

  forward(p: Program, out: Binding, inp: Binding): void {
    const { N, C, B, H, T, hd } = this.s;
    matmul_forward(p, this.qkv, inp, this.w.wqkv, N, C, 3 * C);
    qkv_split_forward(p, this.q, this.k, this.v, this.qkv, B, T, H, hd);
    silu_forward(p, this.qs, this.q, B * H * T * hd);
    nonapprox_forward(p, this.y, this.stats, this.qs, this.k, this.v, B, H, T, hd);
    heads_merge_forward(p, this.ym, this.y, B, T, H, hd);
    matmul_forward(p, out, this.ym, this.w.wo, N, C, C);
  }

  backward(p: Program, dinp: Binding, dout: Binding, inp: Binding): void {
    const g = this.g;
    if (!g) throw new Error('nonapprox mixer built without gradient buffers');
    const { N, C, B, H, T, hd } = this.s;
    matmul_backward(p, g.ym, this.w.dwo, dout, this.ym, this.w.wo, N, C, C);
    heads_merge_backward(p, g.y, g.ym, B, T, H, hd);
    nonapprox_backward(p, g.qs, g.k, g.v, g.y, this.y, this.stats, this.qs, this.k, this.v, B, H, T, hd);
    silu_backward(p, g.q, this.q, g.qs, B * H * T * hd);
    qkv_split_backward(p, g.qkv, g.q, g.k, g.v, B, T, H, hd);
    matmul_backward(p, dinp, this.w.dwqkv, g.qkv, inp, this.w.wqkv, N, C, 3 * C);
  }
}
