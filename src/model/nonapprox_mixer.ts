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
import type { Mixer } from './mixer';
import { PlanBuilder, type PlannedBuffer } from './plan';
import type { PlanSlots } from './plan_allocator';
import type { Shapes } from './shapes';

/** The buffers a nonapprox layer holds and its programs' scratch (NonapproxMixer takes exactly these). */
export function planNonapprox(s: Shapes, training: boolean): PlannedBuffer[] {
  const { N, C, B, H, T, hd } = s;
  const nh = B * H * T * hd;
  const p = new PlanBuilder().buf('qkv', 3 * N * C);
  for (const k of ['q', 'q_silu', 'k', 'v', 'y']) p.buf(k, nh);
  p.buf('scan_stats', B * H * T * 2).buf('y_merged', N * C);
  if (training) {
    p.buf('d_qkv', 3 * N * C);
    for (const k of ['q', 'q_silu', 'k', 'v', 'y']) p.buf(`d_${k}`, nh);
    p.buf('d_y_merged', N * C);
  }
  // Program scratch, in recording order.
  p.matmulForward('forward', 'qkv', { N, IC: C, OC: 3 * C });
  p.matmulForward('forward', 'attn_out', { N, IC: C, OC: C });
  if (training) {
    p.matmulBackward('backward', 'attn_out', { N, IC: C, OC: C });
    p.matmulBackward('backward', 'qkv', { N, IC: C, OC: 3 * C });
  }
  return p.entries;
}

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

  /** The scan's inputs and outputs [B,H,T,hd] (stats [B,H,T,2]): incremental sampling's cache. */
  get scanBuffers(): { qs: Binding; k: Binding; v: Binding; y: Binding; stats: Binding } {
    return { qs: this.qs, k: this.k, v: this.v, y: this.y, stats: this.stats };
  }

  /** Takes the buffers planNonapprox planned (and no others). */
  constructor(
    private s: Shapes,
    private w: AttentionWeights,
    slots: PlanSlots,
    training: boolean,
  ) {
    const b = slots;
    this.qkv = b.take('qkv');
    this.q = b.take('q');
    this.qs = b.take('q_silu');
    this.k = b.take('k');
    this.v = b.take('v');
    this.y = b.take('y');
    this.stats = b.take('scan_stats');
    this.ym = b.take('y_merged');
    if (training) {
      this.g = {
        qkv: b.take('d_qkv'),
        q: b.take('d_q'),
        qs: b.take('d_q_silu'),
        k: b.take('d_k'),
        v: b.take('d_v'),
        y: b.take('d_y'),
        ym: b.take('d_y_merged'),
      };
    }
  }

  forward(p: Program, out: Binding, inp: Binding): void {
    const { N, C, B, H, T, hd } = this.s;
    matmul_forward(p, this.qkv, inp, this.w.wqkv, N, C, 3 * C);
    qkv_split_forward(p, { q: this.q, k: this.k, v: this.v, qkv: this.qkv, B, T, H, hd });
    silu_forward(p, this.qs, this.q, B * H * T * hd);
    nonapprox_forward(p, { out: this.y, stats: this.stats, q: this.qs, k: this.k, v: this.v, B, H, T, hd });
    heads_merge_forward(p, this.ym, this.y, B, T, H, hd);
    matmul_forward(p, out, this.ym, this.w.wo, N, C, C);
  }

  backward(p: Program, dinp: Binding, dout: Binding, inp: Binding): void {
    const g = this.g;
    if (!g) throw new Error('nonapprox mixer built without gradient buffers');
    const { N, C, B, H, T, hd } = this.s;
    matmul_backward(p, { dinp: g.ym, dweight: this.w.dwo, dout, inp: this.ym, weight: this.w.wo, N, IC: C, OC: C });
    heads_merge_backward(p, g.y, g.ym, B, T, H, hd);
    nonapprox_backward(p, {
      dq: g.qs,
      dk: g.k,
      dv: g.v,
      dout: g.y,
      out: this.y,
      stats: this.stats,
      q: this.qs,
      k: this.k,
      v: this.v,
      B,
      H,
      T,
      hd,
    });
    silu_backward(p, g.q, this.q, g.qs, B * H * T * hd);
    qkv_split_backward(p, { dqkv: g.qkv, dq: g.q, dk: g.k, dv: g.v, B, T, H, hd });
    matmul_backward(p, { dinp, dweight: this.w.dwqkv, dout: g.qkv, inp, weight: this.w.wqkv, N, IC: C, OC: 3 * C });
  }
}
