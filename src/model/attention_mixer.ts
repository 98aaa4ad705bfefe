// Multi-head attention of the normalised family as a Mixer:
//   qkv = x W_qkv^T -> split into heads -> RoPE (q, k) -> A = probs(q, k)
//   [-> A' = reweight(A)] -> y = A v -> merge heads -> out = y W_o^T
// A [B,H,T,T] is materialised: training lengths are short. Evaluation at
// long lengths uses the fused kernels instead.
import type { Positional } from '../config';
import type { Binding } from '../gpu/context';
import type { Program } from '../gpu/program';
import {
  attention_probs_backward,
  attention_probs_forward,
  attention_values_backward,
  attention_values_forward,
  type ProbsParams,
} from '../kernels/attention';
import { heads_merge_backward, heads_merge_forward, qkv_split_backward, qkv_split_forward } from '../kernels/heads';
import { matmul_backward, matmul_forward } from '../kernels/matmul';
import { reweight_backward, reweight_forward } from '../kernels/reweight';
import { rope_backward, rope_forward, ropeTableData } from '../kernels/rope';
import type { Allocator, Mixer, SharedScratch } from './mixer';
import type { Shapes } from './shapes';

export interface AttentionWeights {
  wqkv: Binding;
  wo: Binding;
  dwqkv: Binding;
  dwo: Binding;
}

export class AttentionMixer implements Mixer {
  private qkv: Binding;
  private q: Binding;
  private k: Binding;
  private v: Binding;
  private qr: Binding;
  private kr: Binding;
  private att: Binding;
  private rowstat: Binding;
  private attRw: Binding | null;
  private ropeTable: Binding | null;
  private ds: Binding | null = null;
  private y: Binding;
  private ym: Binding;
  // gradient scratch
  private g: Record<'qkv' | 'q' | 'k' | 'v' | 'qr' | 'kr' | 'att' | 'attRw' | 'y' | 'ym', Binding | null> | null = null;

  constructor(
    private s: Shapes,
    private w: AttentionWeights,
    private probs: ProbsParams,
    private positional: Positional,
    /** Re-weighting exponent when the pass is applied in this graph. */
    private reweightP: number | null,
    alloc: Allocator,
    shared: SharedScratch,
    training: boolean,
  ) {
    const { N, C, B, H, T, hd } = s;
    const heads = B * H * T * hd;
    this.qkv = alloc('qkv', N * 3 * C);
    this.q = alloc('q', heads);
    this.k = alloc('k', heads);
    this.v = alloc('v', heads);
    const rope = positional === 'rope';
    this.ropeTable = rope ? shared.get(`rope_table_T${T}_hd${hd}`, T * hd, ropeTableData(T, hd)) : null;
    this.qr = rope ? alloc('q_rope', heads) : this.q;
    this.kr = rope ? alloc('k_rope', heads) : this.k;
    this.att = alloc('att', B * H * T * T);
    this.rowstat = alloc('att_rowstat', B * H * T);
    this.attRw = reweightP !== null ? alloc('att_reweighted', B * H * T * T) : null;
    this.y = alloc('y', heads);
    this.ym = alloc('y_merged', N * C);
    if (training) {
      // Layers run their backward one at a time, so they share this scratch.
      this.ds = shared.get('attention_ds', B * H * T * T);
      this.g = {
        qkv: alloc('d_qkv', N * 3 * C),
        q: alloc('d_q', heads),
        k: alloc('d_k', heads),
        v: alloc('d_v', heads),
        qr: rope ? alloc('d_q_rope', heads) : null,
        kr: rope ? alloc('d_k_rope', heads) : null,
        att: alloc('d_att', B * H * T * T),
        attRw: reweightP !== null ? alloc('d_att_reweighted', B * H * T * T) : null,
        y: alloc('d_y', heads),
        ym: alloc('d_y_merged', N * C),
      };
    }
  }

  /** The attention weights the values were mixed with (after any re-weighting). */
  get weights(): Binding {
    return this.attRw ?? this.att;
  }

  forward(p: Program, out: Binding, inp: Binding): void {
    const { N, C, B, H, T, hd } = this.s;
    matmul_forward(p, this.qkv, inp, this.w.wqkv, N, C, 3 * C);
    qkv_split_forward(p, this.q, this.k, this.v, this.qkv, B, T, H, hd);
    if (this.positional === 'rope') {
      rope_forward(p, this.qr, this.q, B * H, T, hd, this.ropeTable!);
      rope_forward(p, this.kr, this.k, B * H, T, hd, this.ropeTable!);
    }
    attention_probs_forward(p, this.att, this.rowstat, this.qr, this.kr, B, H, T, hd, this.probs);
    if (this.attRw && this.reweightP !== null) reweight_forward(p, this.attRw, this.att, B * H, T, this.reweightP);
    attention_values_forward(p, this.y, this.weights, this.v, B, H, T, hd);
    heads_merge_forward(p, this.ym, this.y, B, T, H, hd);
    matmul_forward(p, out, this.ym, this.w.wo, N, C, C);
  }

  backward(p: Program, dinp: Binding, dout: Binding, inp: Binding): void {
    const g = this.g;
    if (!g) throw new Error('attention mixer built without gradient buffers');
    const { N, C, B, H, T, hd } = this.s;
    matmul_backward(p, g.ym!, this.w.dwo, dout, this.ym, this.w.wo, N, C, C);
    heads_merge_backward(p, g.y!, g.ym!, B, T, H, hd);
    if (this.attRw && this.reweightP !== null) {
      attention_values_backward(p, g.attRw!, g.v!, g.y!, this.attRw, this.v, B, H, T, hd);
      reweight_backward(p, g.att!, g.attRw!, this.att, this.attRw, B * H, T, this.reweightP);
    } else {
      attention_values_backward(p, g.att!, g.v!, g.y!, this.att, this.v, B, H, T, hd);
    }
    const rope = this.positional === 'rope';
    attention_probs_backward(p, rope ? g.qr! : g.q!, rope ? g.kr! : g.k!, g.att!, this.att, this.rowstat, this.qr, this.kr, B, H, T, hd, this.probs, this.ds!);
    if (rope) {
      rope_backward(p, g.q!, g.qr!, B * H, T, hd, this.ropeTable!);
      rope_backward(p, g.k!, g.kr!, B * H, T, hd, this.ropeTable!);
    }
    qkv_split_backward(p, g.qkv!, g.q!, g.k!, g.v!, B, T, H, hd);
    matmul_backward(p, dinp, this.w.dwqkv, g.qkv!, inp, this.w.wqkv, N, C, 3 * C);
  }
}
