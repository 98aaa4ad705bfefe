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
import { heads_merge_forward, qkv_split_backward, qkv_split_forward } from '../kernels/heads';
import { gemm, matmul_backward, matmul_forward } from '../kernels/matmul';
import { qkv_split_rope_backward, qkv_split_rope_forward } from '../kernels/qkv_split_rope';
import { reweight_backward, reweight_forward } from '../kernels/reweight';
import { rope_backward, rope_forward, ropeTableData } from '../kernels/rope';
import { stream_qk_backward, stream_qk_forward } from '../kernels/stream';
import { TAYLOR_LINEAR_MAX_HD, taylor_linear_forward } from '../kernels/taylor_linear';
import type { Mixer } from './mixer';
import { PlanBuilder, type PlannedBuffer } from './plan';
import type { PlanSlots } from './plan_allocator';
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
  /** Windowed evaluation (fused only): each query sees its last `window` keys; 0 or absent: all. */
  window?: number;
}

type Grads = Record<
  'qkv' | 'q' | 'k' | 'v' | 'qp' | 'kp' | 'qr' | 'kr' | 'att' | 'attRw' | 'ym' | 'qkvE',
  Binding | null
>;

/** What decides an attention layer's buffers. */
export interface AttentionPlanOptions {
  source: QkSource['kind'];
  positional: Positional;
  /** This layer's re-weighting exponent (null: none; src/model/reweight_rule.ts). */
  reweightP: number | null;
  training: boolean;
  form: EvalForm;
}

/** The RoPE table every attention layer of a graph shares. */
const ropeTableLabel = (T: number, hd: number) => `rope_table_T${T}_hd${hd}`;

/**
 * The buffers an attention layer holds and its programs' scratch: the one
 * declaration of them (AttentionMixer takes exactly these).
 */
export function planAttention(s: Shapes, o: AttentionPlanOptions): PlannedBuffer[] {
  if (o.training && o.form.fused) throw new Error('the fused attention path is forward-only (evaluation)');
  const { N, C, B, H, T, hd } = s;
  const heads = B * H * T * hd;
  const att = B * H * T * T;
  const own = o.source === 'self';
  const isStatic = o.source === 'static';
  const rope = o.positional === 'rope';
  const p = new PlanBuilder()
    .buf('qkv', 3 * N * C)
    .buf('q', heads)
    .buf('k', heads)
    .buf('v', heads);
  if (!own) p.buf('q_source', heads).buf('k_source', heads);
  if (isStatic) p.buf('qkv_static', 3 * N * C).buf('v_static_unused', heads);
  // A layer's own q and k are rotated as they are split (qkv_split_rope): no unrotated copy.
  if (rope) p.shared(ropeTableLabel(T, hd), T * hd);
  if (rope && !own) p.buf('q_rope', heads).buf('k_rope', heads);
  if (!o.form.fused) {
    p.buf('att', att).buf('att_rowstat', B * H * T);
    if (o.reweightP !== null) p.buf('att_reweighted', att);
  }
  if (o.form.diagnostics) p.buf('att_diagnostics', B * H * T * 4);
  // The unfused path mixes the values straight into the merged layout (no heads_merge pass), so only the fused
  // kernels, which write heads, need y.
  if (o.form.fused) p.buf('y', heads);
  p.buf('y_merged', N * C);
  if (o.training) {
    // Layers run their backward one at a time, so they share this scratch.
    p.shared('attention_ds', att);
    if (isStatic) p.shared('zeros_heads', heads); // never written
    p.buf('d_qkv', 3 * N * C)
      .buf('d_q', heads)
      .buf('d_k', heads)
      .buf('d_v', heads);
    if (!own) p.buf('d_q_source', heads).buf('d_k_source', heads);
    if (rope && !own) p.buf('d_q_rope', heads).buf('d_k_rope', heads);
    p.buf('d_att', att);
    if (o.reweightP !== null) p.buf('d_att_reweighted', att);
    p.buf('d_y_merged', N * C);
    if (isStatic) p.buf('d_qkv_static', 3 * N * C);
  }
  // Program scratch, in recording order.
  p.matmulForward('forward', 'qkv', { N, IC: C, OC: 3 * C });
  if (isStatic) p.matmulForward('forward', 'qkv_static', { N, IC: C, OC: 3 * C });
  p.matmulForward('forward', 'attn_out', { N, IC: C, OC: C });
  if (o.training) {
    p.matmulBackward('backward', 'attn_out', { N, IC: C, OC: C });
    if (isStatic) {
      p.matmulBackward('backward', 'qkv_static', { N, IC: C, OC: 3 * C }, false);
      // dNormE (+)= d_qkv_static . W_qkv: a gemm of [N, 3C] by [3C, C].
      p.gemm('backward', 'd_norm_emb', { M: N, N: C, K: 3 * C, sAm: 3 * C, sAk: 1, sBk: C, sBn: 1 });
    }
    p.matmulBackward('backward', 'qkv', { N, IC: C, OC: 3 * C });
  }
  return p.entries;
}

export interface AttentionMixerArgs {
  shapes: Shapes;
  weights: AttentionWeights;
  probs: ProbsParams;
  positional: Positional;
  /** Re-weighting exponent when the pass is applied in this layer (null: none). */
  reweightP: number | null;
  training: boolean;
  /** Default: self. */
  source?: QkSource;
  /** Default: neither fused nor diagnostics. */
  form?: EvalForm;
  /** The layer's planned buffers (planAttention's labels). */
  slots: PlanSlots;
}

export class AttentionMixer implements Mixer {
  private s: Shapes;
  private w: AttentionWeights;
  private probs: ProbsParams;
  private positional: Positional;
  private reweightP: number | null;
  private source: QkSource;
  private form: EvalForm;
  private qkv: Binding;
  private q: Binding;
  private k: Binding;
  private v: Binding;
  /** q, k after the source step (before RoPE). */
  private qp: Binding;
  private kp: Binding;
  private qkvE: Binding | null;
  private vE: Binding | null;
  private zeros: Binding | null = null;
  private qr: Binding;
  private kr: Binding;
  private att: Binding | null;
  private rowstat: Binding | null;
  private attRw: Binding | null;
  private diag: Binding | null;
  private ropeTable: Binding | null;
  private ds: Binding | null = null;
  private y: Binding | null;
  private ym: Binding;
  private g: Grads | null = null;

  /** Takes the buffers planAttention planned for these arguments (and no others). */
  constructor(a: AttentionMixerArgs) {
    this.s = a.shapes;
    this.w = a.weights;
    this.probs = a.probs;
    this.positional = a.positional;
    this.reweightP = a.reweightP;
    this.source = a.source ?? { kind: 'self' };
    this.form = a.form ?? { fused: false, diagnostics: false };
    if (a.training && this.form.fused) throw new Error('the fused attention path is forward-only (evaluation)');
    if (this.form.window && !this.form.fused) throw new Error('windowed attention runs in the fused kernels only');
    if (this.form.window) this.probs = { ...this.probs, window: this.form.window };
    const { T, hd } = this.s;
    const b = a.slots;
    this.qkv = b.take('qkv');
    this.q = b.take('q');
    this.k = b.take('k');
    this.v = b.take('v');
    this.qp = b.maybe('q_source') ?? this.q;
    this.kp = b.maybe('k_source') ?? this.k;
    this.qkvE = b.maybe('qkv_static');
    this.vE = b.maybe('v_static_unused');
    const rope = this.positional === 'rope';
    this.ropeTable = rope ? b.shared(ropeTableLabel(T, hd), () => ropeTableData(T, hd)) : null;
    this.qr = b.maybe('q_rope') ?? this.qp;
    this.kr = b.maybe('k_rope') ?? this.kp;
    this.att = b.maybe('att');
    this.rowstat = b.maybe('att_rowstat');
    this.attRw = b.maybe('att_reweighted');
    this.diag = b.maybe('att_diagnostics');
    this.y = b.maybe('y');
    this.ym = b.take('y_merged');
    if (a.training) {
      this.ds = b.shared('attention_ds');
      if (this.source.kind === 'static') this.zeros = b.shared('zeros_heads');
      this.g = {
        qkv: b.take('d_qkv'),
        q: b.take('d_q'),
        k: b.take('d_k'),
        v: b.take('d_v'),
        qp: b.maybe('d_q_source'),
        kp: b.maybe('d_k_source'),
        qr: b.maybe('d_q_rope'),
        kr: b.maybe('d_k_rope'),
        att: b.take('d_att'),
        attRw: b.maybe('d_att_reweighted'),
        ym: b.take('d_y_merged'),
        qkvE: b.maybe('d_qkv_static'),
      };
    }
  }

  /**
   * Queries and keys after the source step [B,H,T,hd] (tests, diagnostics): before RoPE for a borrowed source,
   * already rotated for the layer's own (split and rotated in one pass).
   */
  get queriesKeys(): { q: Binding; k: Binding } {
    return { q: this.qp, k: this.kp };
  }

  /** Queries and keys as the fused kernels read them (after RoPE), values [B,H,T,hd]: incremental sampling's cache. */
  get keysValues(): { q: Binding; k: Binding; v: Binding } {
    return { q: this.qr, k: this.kr, v: this.v };
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

  /** What every fused kernel of this layer reads: the queries and keys after the source step, and the weights. */
  private get fusedInputs() {
    const { B, H, T, hd } = this.s;
    return { q: this.qr, k: this.kr, B, H, L: T, hd, params: this.probs, reweightP: this.reweightP };
  }

  /** Records the per-row diagnostics from the queries and keys the forward left (an evaluation graph's own program). */
  recordDiagnostics(p: Program): void {
    if (this.diag) attention_fused_diagnostics(p, { ...this.fusedInputs, diag: this.diag });
  }

  /** Records head (b, h)'s attention map averaged into an R x R grid (after forward). */
  recordMap(p: Program, map: Binding, b: number, h: number, R: number): void {
    attention_fused_map(p, { ...this.fusedInputs, map, b, h, R });
  }

  forward(p: Program, out: Binding, inp: Binding): void {
    const { N, C, B, H, T, hd } = this.s;
    const nh = B * H * T * hd;
    matmul_forward(p, this.qkv, inp, this.w.wqkv, N, C, 3 * C);
    const split = { q: this.q, k: this.k, v: this.v, qkv: this.qkv, B, T, H, hd };
    const src = this.source;
    const ownRope = this.positional === 'rope' && src.kind === 'self';
    if (ownRope) qkv_split_rope_forward(p, { ...split, table: this.ropeTable! });
    else qkv_split_forward(p, split);
    if (src.kind === 'stream') {
      stream_qk_forward(p, this.qp, this.q, nh / 2);
      stream_qk_forward(p, this.kp, this.k, nh / 2);
    } else if (src.kind === 'static') {
      matmul_forward(p, this.qkvE!, src.normE, this.w.wqkv, N, C, 3 * C);
      qkv_split_forward(p, { q: this.qp, k: this.kp, v: this.vE!, qkv: this.qkvE!, B, T, H, hd });
    }
    if (this.positional === 'rope' && !ownRope) {
      rope_forward(p, this.qr, this.qp, B * H, T, hd, this.ropeTable!);
      rope_forward(p, this.kr, this.kp, B * H, T, hd, this.ropeTable!);
    }
    const fused = this.fusedInputs;
    if (this.form.fused) {
      // Linear-time taylor where its factorisation holds; the streaming kernel otherwise.
      const linear =
        this.probs.mechanism === 'taylor' &&
        !this.probs.alibi &&
        !this.probs.window &&
        this.reweightP === null &&
        hd <= TAYLOR_LINEAR_MAX_HD;
      const y = this.y!;
      if (linear) taylor_linear_forward(p, { out: y, q: this.qr, k: this.kr, v: this.v, B, H, T, hd });
      else attention_fused_forward(p, { ...fused, out: y, v: this.v });
      heads_merge_forward(p, this.ym, y, B, T, H, hd);
    } else {
      const probs = { att: this.att!, rowstat: this.rowstat!, q: this.qr, k: this.kr, B, H, T, hd, params: this.probs };
      attention_probs_forward(p, probs);
      if (this.attRw && this.reweightP !== null) reweight_forward(p, this.attRw, this.att!, B * H, T, this.reweightP);
      // Straight into the merged layout the output projection reads.
      attention_values_forward(p, { out: this.ym, outMerged: true, att: this.weights, v: this.v, B, H, T, hd });
    }
    matmul_forward(p, out, this.ym, this.w.wo, N, C, C);
  }

  backward(p: Program, dinp: Binding, dout: Binding, inp: Binding): void {
    const g = this.g;
    if (!g) throw new Error('attention mixer built without gradient buffers');
    const { N, C, B, H, T, hd } = this.s;
    const nh = B * H * T * hd;
    matmul_backward(p, { dinp: g.ym!, dweight: this.w.dwo, dout, inp: this.ym, weight: this.w.wo, N, IC: C, OC: C });
    // The values' gradient read straight from the merged layout the projection's backward leaves.
    const dy = { dv: g.v!, dout: g.ym!, doutMerged: true, v: this.v, B, H, T, hd };
    if (this.attRw && this.reweightP !== null) {
      attention_values_backward(p, { ...dy, datt: g.attRw!, att: this.attRw });
      reweight_backward(p, g.att!, g.attRw!, this.att!, this.attRw, B * H, T, this.reweightP);
    } else {
      attention_values_backward(p, { ...dy, datt: g.att!, att: this.att! });
    }
    const src = this.source;
    // Gradients at the source step's outputs (before RoPE).
    const dqp = src.kind === 'self' ? g.q! : g.qp!;
    const dkp = src.kind === 'self' ? g.k! : g.kp!;
    const rope = this.positional === 'rope';
    const ownRope = rope && src.kind === 'self';
    // Under RoPE the probabilities' gradient is at the rotated q and k (the layer's own: rotated back in the split).
    attention_probs_backward(p, {
      dq: g.qr ?? dqp,
      dk: g.kr ?? dkp,
      datt: g.att!,
      att: this.att!,
      rowstat: this.rowstat!,
      q: this.qr,
      k: this.kr,
      B,
      H,
      T,
      hd,
      params: this.probs,
      ds: this.ds!,
    });
    if (rope && !ownRope) {
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
      qkv_split_backward(p, { dqkv: g.qkvE!, dq: dqp, dk: dkp, dv: this.zeros!, B, T, H, hd });
      const w = { dweight: this.w.dwqkv, dout: g.qkvE!, weight: this.w.wqkv, N, IC: C, OC: 3 * C };
      matmul_backward(p, { ...w, dinp: null, inp: src.normE });
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
    const dsplit = { dqkv: g.qkv!, dq, dk, dv: g.v!, B, T, H, hd };
    if (ownRope) qkv_split_rope_backward(p, { ...dsplit, table: this.ropeTable! });
    else qkv_split_backward(p, dsplit);
    matmul_backward(p, { dinp, dweight: this.w.dwqkv, dout: g.qkv!, inp, weight: this.w.wqkv, N, IC: C, OC: 3 * C });
  }
}
