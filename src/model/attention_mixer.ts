// Multi-head attention of the normalised family as a Mixer:
//   qkv = x W_qkv^T -> split into heads -> [queries/keys from another source]
//   -> RoPE (q, k) -> A = probs(q, k) [-> A' = reweight(A)] -> y = A v
//   -> merge heads -> out = y W_o^T
// The query/key source makes the Deconstructing variants the same unit:
//   'self'   standard attention;
//   'stream' rndembqk / fixedseqqk: the graph holds [batch; stream] rows and
//            batch rows take q, k from their stream row (stream_qk);
//   static   staticembqk: q, k from RMSNorm of the layer-0 token embeddings.
// A [B,H,T,T] is materialised: training lengths are short.
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
import { attention_fused_diagnostics, attention_fused_forward, attention_fused_map } from '../kernels/attention_fused';
import { heads_merge_backward, heads_merge_forward, qkv_split_backward, qkv_split_forward } from '../kernels/heads';
import { gemm, matmul_backward, matmul_forward } from '../kernels/matmul';
import { reweight_backward, reweight_forward } from '../kernels/reweight';
import { rope_backward, rope_forward, ropeTableData } from '../kernels/rope';
import { stream_qk_backward, stream_qk_forward } from '../kernels/stream';
import { TAYLOR_LINEAR_MAX_HD, taylor_linear_forward } from '../kernels/taylor_linear';
import type { Allocator, Mixer, SharedScratch } from './mixer';
import type { Shapes } from './shapes';

export interface AttentionWeights {
  wqkv: Binding;
  wo: Binding;
  dwqkv: Binding;
  dwo: Binding;
}

/** Where queries and keys come from (values always come from the layer input). */
export type QkSource =
  | { kind: 'self' }
  | { kind: 'stream' }
  | {
      kind: 'static';
      /** RMSNorm of the layer-0 embeddings [N, C]. */
      normE: Binding;
      /** Its gradient [N, C]: written by the first static layer in the backward, then accumulated. */
      dNormE: Binding;
      accumulate: boolean;
    };

/** Evaluation-only forms: fused kernels (no [B,H,T,T] buffer) and per-row diagnostics. */
export interface EvalForm {
  fused: boolean;
  diagnostics: boolean;
}

type Grads = Record<
  'qkv' | 'q' | 'k' | 'v' | 'qp' | 'kp' | 'qr' | 'kr' | 'att' | 'attRw' | 'y' | 'ym' | 'qkvE',
  Binding | null
>;

export class AttentionMixer implements Mixer {
  private qkv: Binding;
  private q: Binding;
  private k: Binding;
  private v: Binding;
  /** q, k after the source step (before RoPE). */
  private qp: Binding;
  private kp: Binding;
  private qkvE: Binding | null = null;
  private vE: Binding | null = null;
  private zeros: Binding | null = null;
  private qr: Binding;
  private kr: Binding;
  private att: Binding | null = null;
  private rowstat: Binding | null = null;
  private attRw: Binding | null = null;
  private diag: Binding | null = null;
  private ropeTable: Binding | null;
  private ds: Binding | null = null;
  private y: Binding;
  private ym: Binding;
  private g: Grads | null = null;

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
    private source: QkSource = { kind: 'self' },
    private form: EvalForm = { fused: false, diagnostics: false },
  ) {
    if (training && form.fused) throw new Error('the fused attention path is forward-only (evaluation)');
    const { N, C, B, H, T, hd } = s;
    const heads = B * H * T * hd;
    this.qkv = alloc('qkv', N * 3 * C);
    this.q = alloc('q', heads);
    this.k = alloc('k', heads);
    this.v = alloc('v', heads);
    const own = source.kind === 'self';
    this.qp = own ? this.q : alloc('q_source', heads);
    this.kp = own ? this.k : alloc('k_source', heads);
    if (source.kind === 'static') {
      this.qkvE = alloc('qkv_static', N * 3 * C);
      this.vE = alloc('v_static_unused', heads);
    }
    const rope = positional === 'rope';
    this.ropeTable = rope ? shared.get(`rope_table_T${T}_hd${hd}`, T * hd, ropeTableData(T, hd)) : null;
    this.qr = rope ? alloc('q_rope', heads) : this.qp;
    this.kr = rope ? alloc('k_rope', heads) : this.kp;
    if (!form.fused) {
      this.att = alloc('att', B * H * T * T);
      this.rowstat = alloc('att_rowstat', B * H * T);
      this.attRw = reweightP !== null ? alloc('att_reweighted', B * H * T * T) : null;
    }
    if (form.diagnostics) this.diag = alloc('att_diagnostics', B * H * T * 4);
    this.y = alloc('y', heads);
    this.ym = alloc('y_merged', N * C);
    if (training) {
      // Layers run their backward one at a time, so they share this scratch.
      this.ds = shared.get('attention_ds', B * H * T * T);
      if (source.kind === 'static') this.zeros = shared.get('zeros_heads', heads); // never written
      this.g = {
        qkv: alloc('d_qkv', N * 3 * C),
        q: alloc('d_q', heads),
        k: alloc('d_k', heads),
        v: alloc('d_v', heads),
        qp: own ? null : alloc('d_q_source', heads),
        kp: own ? null : alloc('d_k_source', heads),
        qr: rope ? alloc('d_q_rope', heads) : null,
        kr: rope ? alloc('d_k_rope', heads) : null,
        att: alloc('d_att', B * H * T * T),
        attRw: reweightP !== null ? alloc('d_att_reweighted', B * H * T * T) : null,
        y: alloc('d_y', heads),
        ym: alloc('d_y_merged', N * C),
        qkvE: source.kind === 'static' ? alloc('d_qkv_static', N * 3 * C) : null,
      };
    }
  }

  /** Queries and keys after the source step, before RoPE [B,H,T,hd] (tests, diagnostics). */
  get queriesKeys(): { q: Binding; k: Binding } {
    return { q: this.qp, k: this.kp };
  }

  /** The attention weights the values were mixed with (after any re-weighting). */
  get weights(): Binding {
    const w = this.attRw ?? this.att;
    if (!w) throw new Error('the fused attention path keeps no weight matrix');
    return w;
  }

  /** Per-row diagnostics [B,H,T,4] (entropy, sink, local, distance), when requested. */
  get diagnostics(): Binding | null {
    return this.diag;
  }

  /** Records head (b, h)'s attention map averaged into an R x R grid (after forward). */
  recordMap(p: Program, map: Binding, b: number, h: number, R: number): void {
    const { B, H, T, hd } = this.s;
    attention_fused_map(p, map, this.qr, this.kr, b, h, B, H, T, hd, this.probs, this.reweightP, R);
  }

  forward(p: Program, out: Binding, inp: Binding): void {
    const { N, C, B, H, T, hd } = this.s;
    const nh = B * H * T * hd;
    matmul_forward(p, this.qkv, inp, this.w.wqkv, N, C, 3 * C);
    qkv_split_forward(p, this.q, this.k, this.v, this.qkv, B, T, H, hd);
    const src = this.source;
    if (src.kind === 'stream') {
      stream_qk_forward(p, this.qp, this.q, nh / 2);
      stream_qk_forward(p, this.kp, this.k, nh / 2);
    } else if (src.kind === 'static') {
      matmul_forward(p, this.qkvE!, src.normE, this.w.wqkv, N, C, 3 * C);
      qkv_split_forward(p, this.qp, this.kp, this.vE!, this.qkvE!, B, T, H, hd);
    }
    if (this.positional === 'rope') {
      rope_forward(p, this.qr, this.qp, B * H, T, hd, this.ropeTable!);
      rope_forward(p, this.kr, this.kp, B * H, T, hd, this.ropeTable!);
    }
    if (this.diag) attention_fused_diagnostics(p, this.diag, this.qr, this.kr, B, H, T, hd, this.probs, this.reweightP);
    if (this.form.fused) {
      // Linear-time taylor where its factorisation holds; the streaming kernel otherwise.
      const linear =
        this.probs.mechanism === 'taylor' && !this.probs.alibi && this.reweightP === null && hd <= TAYLOR_LINEAR_MAX_HD;
      if (linear) taylor_linear_forward(p, this.y, this.qr, this.kr, this.v, B, H, T, hd);
      else attention_fused_forward(p, this.y, this.qr, this.kr, this.v, B, H, T, hd, this.probs, this.reweightP);
    } else {
      attention_probs_forward(p, this.att!, this.rowstat!, this.qr, this.kr, B, H, T, hd, this.probs);
      if (this.attRw && this.reweightP !== null) reweight_forward(p, this.attRw, this.att!, B * H, T, this.reweightP);
      attention_values_forward(p, this.y, this.weights, this.v, B, H, T, hd);
    }
    heads_merge_forward(p, this.ym, this.y, B, T, H, hd);
    matmul_forward(p, out, this.ym, this.w.wo, N, C, C);
  }

  backward(p: Program, dinp: Binding, dout: Binding, inp: Binding): void {
    const g = this.g;
    if (!g) throw new Error('attention mixer built without gradient buffers');
    const { N, C, B, H, T, hd } = this.s;
    const nh = B * H * T * hd;
    matmul_backward(p, g.ym!, this.w.dwo, dout, this.ym, this.w.wo, N, C, C);
    heads_merge_backward(p, g.y!, g.ym!, B, T, H, hd);
    if (this.attRw && this.reweightP !== null) {
      attention_values_backward(p, g.attRw!, g.v!, g.y!, this.attRw, this.v, B, H, T, hd);
      reweight_backward(p, g.att!, g.attRw!, this.att!, this.attRw, B * H, T, this.reweightP);
    } else {
      attention_values_backward(p, g.att!, g.v!, g.y!, this.att!, this.v, B, H, T, hd);
    }
    const src = this.source;
    // Gradients at the source step's outputs (before RoPE).
    const dqp = src.kind === 'self' ? g.q! : g.qp!;
    const dkp = src.kind === 'self' ? g.k! : g.kp!;
    const rope = this.positional === 'rope';
    attention_probs_backward(
      p,
      rope ? g.qr! : dqp,
      rope ? g.kr! : dkp,
      g.att!,
      this.att!,
      this.rowstat!,
      this.qr,
      this.kr,
      B,
      H,
      T,
      hd,
      this.probs,
      this.ds!,
    );
    if (rope) {
      rope_backward(p, dqp, g.qr!, B * H, T, hd, this.ropeTable!);
      rope_backward(p, dkp, g.kr!, B * H, T, hd, this.ropeTable!);
    }
    let dq = g.q!,
      dk = g.k!;
    if (src.kind === 'stream') {
      stream_qk_backward(p, g.q!, dqp, nh / 2);
      stream_qk_backward(p, g.k!, dkp, nh / 2);
    } else if (src.kind === 'static') {
      // q, k came from RMSNorm(E): their gradient goes there; this layer's own q, k were unused.
      qkv_split_backward(p, g.qkvE!, dqp, dkp, this.zeros!, B, T, H, hd);
      matmul_backward(p, null, this.w.dwqkv, g.qkvE!, src.normE, this.w.wqkv, N, C, 3 * C);
      gemm(p, {
        a: g.qkvE!,
        b: this.w.wqkv,
        c: src.dNormE,
        M: N,
        N: C,
        K: 3 * C,
        sAm: 3 * C,
        sAk: 1,
        sBk: C,
        sBn: 1,
        accumulate: src.accumulate,
      });
      dq = this.zeros!;
      dk = this.zeros!;
    }
    qkv_split_backward(p, g.qkv!, dq, dk, g.v!, B, T, H, hd);
    matmul_backward(p, dinp, this.w.dwqkv, g.qkv!, inp, this.w.wqkv, N, C, 3 * C);
  }
}
