// float64 CPU reference of the whole model: the same parameter table and the
// same op sequence as src/model/gpt.ts, composed from the op references.
// Used by the whole-model tests (loss, every gradient, AdamW steps).
import type { ModelConfig } from '../config';
import { ROW_NORMALISED } from '../kernels/attention_constants';
import { buildParamTable, gatedHidden, type ParamTable, paramSpecs } from '../model/params';
import { type Shapes, shapesOf } from '../model/shapes';
import { streamKind, streamRows } from '../model/stream';
import * as att from './attention';
import { crossentropy_forward, fused_classifier } from './crossentropy';
import { encoder_backward, encoder_forward } from './encoder';
import { gelu_backward, gelu_forward } from './gelu';
import { heads_merge_backward, heads_merge_forward, qkv_split_backward, qkv_split_forward } from './heads';
import { matmul_backward, matmul_forward } from './matmul';
import { nonapprox_backward, nonapprox_forward } from './nonapprox';
import { reweight_backward, reweight_forward } from './reweight';
import { rmsnorm_backward, rmsnorm_forward } from './rmsnorm';
import { rope_backward, rope_forward } from './rope';
import { silu_backward, silu_forward, swiglu_backward, swiglu_forward } from './silu';
import { stream_qk_backward, stream_qk_forward } from './stream';

const F64 = (n: number) => new Float64Array(n);

export class ReferenceGpt {
  readonly table: ParamTable;
  /** staticembqk: RMSNorm of the layer-0 embeddings, and its gradient, for the current call. */
  private normE = F64(0);
  private dNormE = F64(0);
  constructor(
    readonly config: ModelConfig,
    public params: Float64Array,
  ) {
    this.table = buildParamTable(paramSpecs(config));
    if (params.length !== this.table.total) throw new Error('parameter arena size mismatch');
  }

  view(arena: Float64Array, name: string): Float64Array {
    const e = this.table.byName.get(name);
    if (!e) throw new Error(`no parameter ${name}`);
    return arena.subarray(e.offset, e.offset + e.size);
  }

  /**
   * Mean loss over scored targets and, when `grads` is given, every parameter
   * gradient accumulated into it. `reweightP` applies the re-weighting pass
   * to row-normalised layers (lssar always re-weights); also the logits [N, V].
   */
  lossAndGrads(
    batchInput: Uint32Array,
    batchTarget: Uint32Array,
    B: number,
    T: number,
    grads?: Float64Array,
    reweightP: number | null = null,
    streamTokens?: Uint32Array,
  ): { loss: number; losses: Float64Array; logits: Float64Array } {
    const c = this.config;
    const stream = streamKind(c.layers);
    const s = shapesOf(c, stream ? 2 * B : B, T);
    const { N, C, V, F } = s;
    const P = (n: string) => this.view(this.params, n);
    const wout = c.tiedEmbeddings ? 'wte' : 'lm_head';

    // [batch; stream] rows, as the GPU graph lays them out.
    let input = batchInput;
    let target = batchTarget;
    let table: ArrayLike<number> = P('wte');
    if (stream) {
      input = new Uint32Array(N);
      target = new Uint32Array(N).fill(0xffffffff);
      input.set(batchInput);
      target.set(batchTarget);
      let ids: Uint32Array;
      if (stream === 'rndemb') {
        const ext = F64((V + T) * C);
        ext.set(P('wte'));
        ext.set(streamRows(c, T), V * C);
        table = ext;
        ids = Uint32Array.from({ length: T }, (_, t) => V + t);
      } else {
        if (!streamTokens || streamTokens.length < T) throw new Error('fixedseqqk needs stream tokens');
        ids = streamTokens.slice(0, T);
      }
      for (let b = 0; b < B; b++) input.set(ids, (B + b) * T);
    }
    const x0 = F64(N * C);
    encoder_forward(x0, input, table, N, C);
    const ones = new Float64Array(C).fill(1);
    const normE = F64(N * C),
      rstdE = F64(N);
    const hasStatic = c.layers.includes('staticembqk');
    if (hasStatic) rmsnorm_forward(normE, rstdE, x0, ones, N, C);
    this.normE = normE;
    this.dNormE = F64(N * C);
    type Cache = {
      xin: Float64Array;
      ln1: Float64Array;
      rstd1: Float64Array;
      mix: MixCache;
      res1: Float64Array;
      ln2: Float64Array;
      rstd2: Float64Array;
      fc: Float64Array;
      fcg: Float64Array;
      res2: Float64Array;
    };
    const caches: Cache[] = [];
    let x = x0;
    for (let l = 0; l < c.nLayer; l++) {
      const ln1 = F64(N * C),
        rstd1 = F64(N);
      rmsnorm_forward(ln1, rstd1, x, P(`h${l}.ln1.w`), N, C);
      const mix = this.mixForward(l, ln1, s, reweightP);
      const res1 = F64(N * C);
      for (let i = 0; i < N * C; i++) res1[i] = x[i] + mix.out[i];
      const ln2 = F64(N * C),
        rstd2 = F64(N);
      rmsnorm_forward(ln2, rstd2, res1, P(`h${l}.ln2.w`), N, C);
      const fc = F64(N * F),
        fcg = F64(N * F),
        proj = F64(N * C);
      matmul_forward(fc, ln2, P(`h${l}.mlp.w_fc`), N, C, F);
      gelu_forward(fcg, fc, N * F);
      matmul_forward(proj, fcg, P(`h${l}.mlp.w_proj`), N, F, C);
      const res2 = F64(N * C);
      for (let i = 0; i < N * C; i++) res2[i] = res1[i] + proj[i];
      caches.push({ xin: x, ln1, rstd1, mix, res1, ln2, rstd2, fc, fcg, res2 });
      x = res2;
    }
    const lnf = F64(N * C),
      rstdf = F64(N);
    rmsnorm_forward(lnf, rstdf, x, P('lnf.w'), N, C);
    const logits = F64(N * V);
    matmul_forward(logits, lnf, P(wout), N, C, V);
    const losses = F64(N);
    let count = 0;
    for (let i = 0; i < N; i++) if (target[i] !== 0xffffffff) count++;
    const dlogits = grads ? F64(N * V) : null;
    if (dlogits) fused_classifier(losses, dlogits, logits, target, N, V, 1 / Math.max(1, count));
    else crossentropy_forward(losses, logits, target, N, V);
    const loss = losses.reduce((a, b) => a + b, 0) / Math.max(1, count);
    if (!grads || !dlogits) return { loss, losses, logits };

    const G = (n: string) => this.view(grads, n);
    const dln = F64(N * C),
      dres = F64(N * C),
      dmix = F64(N * C);
    const dfcg = F64(N * F),
      dfc = F64(N * F);
    matmul_backward(dln, G(wout), dlogits, lnf, P(wout), N, C, V);
    rmsnorm_backward(dres, G('lnf.w'), dln, x, P('lnf.w'), rstdf, N, C, false);
    for (let l = c.nLayer - 1; l >= 0; l--) {
      const k = caches[l];
      matmul_backward(dfcg, G(`h${l}.mlp.w_proj`), dres, k.fcg, P(`h${l}.mlp.w_proj`), N, F, C);
      gelu_backward(dfc, k.fc, dfcg, N * F);
      matmul_backward(dln, G(`h${l}.mlp.w_fc`), dfc, k.ln2, P(`h${l}.mlp.w_fc`), N, C, F);
      rmsnorm_backward(dres, G(`h${l}.ln2.w`), dln, k.res1, P(`h${l}.ln2.w`), k.rstd2, N, C, true);
      this.mixBackward(l, dmix, dres, k.ln1, k.mix, s, grads);
      rmsnorm_backward(dres, G(`h${l}.ln1.w`), dmix, k.xin, P(`h${l}.ln1.w`), k.rstd1, N, C, true);
    }
    if (hasStatic) rmsnorm_backward(dres, F64(C), this.dNormE, x0, ones, rstdE, N, C, true);
    encoder_backward(G('wte'), dres, input, N, C, V);
    return { loss, losses, logits };
  }

  private mixForward(l: number, inp: Float64Array, s: Shapes, graphP: number | null): MixCache {
    const c = this.config;
    const mech = c.layers[l];
    const { N, C, B, H, T, hd } = s;
    const P = (n: string) => this.view(this.params, n);
    if (mech === 'mlp') return this.mlpForward(l, inp, s);
    if (mech === 'nonapprox') return this.nonapproxForward(l, inp, s);
    const variant = ['rndembqk', 'fixedseqqk', 'staticembqk'].includes(mech);
    const base = variant ? 'softmax' : mech === 'lssar' ? 'lssa' : (mech as att.NormalisedMechanism);
    const params: att.ProbsParams = { mechanism: base, alibi: c.positional === 'alibi', trainLength: c.trainLength };
    const rw = mech === 'lssar' ? c.reweight.p : ROW_NORMALISED.includes(mech) || variant ? graphP : null;
    const nh = B * H * T * hd;
    const qkv = F64(N * 3 * C);
    matmul_forward(qkv, inp, P(`h${l}.attn.w_qkv`), N, C, 3 * C);
    const q0 = F64(nh),
      k0 = F64(nh),
      v = F64(nh);
    qkv_split_forward(q0, k0, v, qkv, B, T, H, hd);
    let q = q0,
      k = k0;
    if (mech === 'rndembqk' || mech === 'fixedseqqk') {
      q = F64(nh);
      k = F64(nh);
      stream_qk_forward(q, q0, nh / 2);
      stream_qk_forward(k, k0, nh / 2);
    } else if (mech === 'staticembqk') {
      const qkvE = F64(N * 3 * C);
      matmul_forward(qkvE, this.normE, P(`h${l}.attn.w_qkv`), N, C, 3 * C);
      q = F64(nh);
      k = F64(nh);
      qkv_split_forward(q, k, F64(nh), qkvE, B, T, H, hd);
    }
    let qr = q,
      kr = k;
    if (c.positional === 'rope') {
      qr = F64(nh);
      kr = F64(nh);
      rope_forward(qr, q, B * H, T, hd);
      rope_forward(kr, k, B * H, T, hd);
    }
    const A = F64(B * H * T * T),
      rowstat = F64(B * H * T);
    att.attention_probs_forward(A, rowstat, qr, kr, B, H, T, hd, params);
    let Arw: Float64Array | null = null;
    if (rw !== null) {
      Arw = F64(B * H * T * T);
      reweight_forward(Arw, A, B * H, T, rw);
    }
    const y = F64(nh);
    att.attention_values_forward(y, Arw ?? A, v, B, H, T, hd);
    const ym = F64(N * C);
    heads_merge_forward(ym, y, B, T, H, hd);
    const out = F64(N * C);
    matmul_forward(out, ym, P(`h${l}.attn.w_o`), N, C, C);
    return { kind: 'attention', mech, out, q, k, v, qr, kr, A, rowstat, Arw, rw, ym, params };
  }

  private mlpForward(l: number, inp: Float64Array, s: Shapes): MlpCache {
    const { N, C } = s;
    const m = gatedHidden(this.config);
    const P = (n: string) => this.view(this.params, n);
    const gate = F64(N * m),
      up = F64(N * m),
      hid = F64(N * m),
      out = F64(N * C);
    matmul_forward(gate, inp, P(`h${l}.mix.w_gate`), N, C, m);
    matmul_forward(up, inp, P(`h${l}.mix.w_up`), N, C, m);
    swiglu_forward(hid, gate, up, N * m);
    matmul_forward(out, hid, P(`h${l}.mix.w_down`), N, m, C);
    return { kind: 'mlp', out, gate, up, hid, m };
  }

  private nonapproxForward(l: number, inp: Float64Array, s: Shapes): NonapproxCache {
    const { N, C, B, H, T, hd } = s;
    const P = (n: string) => this.view(this.params, n);
    const nh = B * H * T * hd;
    const qkv = F64(N * 3 * C);
    matmul_forward(qkv, inp, P(`h${l}.attn.w_qkv`), N, C, 3 * C);
    const q = F64(nh),
      k = F64(nh),
      v = F64(nh),
      qs = F64(nh),
      y = F64(nh),
      stats = F64(B * H * T * 2);
    qkv_split_forward(q, k, v, qkv, B, T, H, hd);
    silu_forward(qs, q, nh);
    nonapprox_forward(y, stats, qs, k, v, B, H, T, hd);
    const ym = F64(N * C),
      out = F64(N * C);
    heads_merge_forward(ym, y, B, T, H, hd);
    matmul_forward(out, ym, P(`h${l}.attn.w_o`), N, C, C);
    return { kind: 'nonapprox', out, q, qs, k, v, y, stats, ym };
  }

  private mlpBackward(
    l: number,
    dinp: Float64Array,
    dout: Float64Array,
    inp: Float64Array,
    m: MlpCache,
    s: Shapes,
    grads: Float64Array,
  ): void {
    const { N, C } = s;
    const P = (n: string) => this.view(this.params, n);
    const G = (n: string) => this.view(grads, n);
    const dhid = F64(N * m.m),
      dgate = F64(N * m.m),
      dup = F64(N * m.m),
      dinpUp = F64(N * C);
    matmul_backward(dhid, G(`h${l}.mix.w_down`), dout, m.hid, P(`h${l}.mix.w_down`), N, m.m, C);
    swiglu_backward(dgate, dup, m.gate, m.up, dhid, N * m.m);
    matmul_backward(dinp, G(`h${l}.mix.w_gate`), dgate, inp, P(`h${l}.mix.w_gate`), N, C, m.m);
    matmul_backward(dinpUp, G(`h${l}.mix.w_up`), dup, inp, P(`h${l}.mix.w_up`), N, C, m.m);
    for (let i = 0; i < N * C; i++) dinp[i] += dinpUp[i];
  }

  private nonapproxBackward(
    l: number,
    dinp: Float64Array,
    dout: Float64Array,
    inp: Float64Array,
    m: NonapproxCache,
    s: Shapes,
    grads: Float64Array,
  ): void {
    const { N, C, B, H, T, hd } = s;
    const P = (n: string) => this.view(this.params, n);
    const G = (n: string) => this.view(grads, n);
    const nh = B * H * T * hd;
    const dym = F64(N * C),
      dy = F64(nh),
      dqs = F64(nh),
      dq = F64(nh),
      dk = F64(nh),
      dv = F64(nh),
      dqkv = F64(N * 3 * C);
    matmul_backward(dym, G(`h${l}.attn.w_o`), dout, m.ym, P(`h${l}.attn.w_o`), N, C, C);
    heads_merge_backward(dy, dym, B, T, H, hd);
    nonapprox_backward(dqs, dk, dv, dy, m.y, m.stats, m.qs, m.k, m.v, B, H, T, hd);
    silu_backward(dq, m.q, dqs, nh);
    qkv_split_backward(dqkv, dq, dk, dv, B, T, H, hd);
    matmul_backward(dinp, G(`h${l}.attn.w_qkv`), dqkv, inp, P(`h${l}.attn.w_qkv`), N, C, 3 * C);
  }

  private mixBackward(
    l: number,
    dinp: Float64Array,
    dout: Float64Array,
    inp: Float64Array,
    mc: MixCache,
    s: Shapes,
    grads: Float64Array,
  ): void {
    if (mc.kind === 'mlp') {
      this.mlpBackward(l, dinp, dout, inp, mc, s, grads);
      return;
    }
    if (mc.kind === 'nonapprox') {
      this.nonapproxBackward(l, dinp, dout, inp, mc, s, grads);
      return;
    }
    const m = mc;
    const c = this.config;
    const { N, C, B, H, T, hd } = s;
    const P = (n: string) => this.view(this.params, n);
    const G = (n: string) => this.view(grads, n);
    const nh = B * H * T * hd;
    const dym = F64(N * C);
    matmul_backward(dym, G(`h${l}.attn.w_o`), dout, m.ym, P(`h${l}.attn.w_o`), N, C, C);
    const dy = F64(nh);
    heads_merge_backward(dy, dym, B, T, H, hd);
    const dA = F64(B * H * T * T),
      dv = F64(nh);
    if (m.Arw && m.rw !== null) {
      const dArw = F64(B * H * T * T);
      att.attention_values_backward(dArw, dv, dy, m.Arw, m.v, B, H, T, hd);
      reweight_backward(dA, dArw, m.A, m.Arw, B * H, T, m.rw);
    } else att.attention_values_backward(dA, dv, dy, m.A, m.v, B, H, T, hd);
    const dqr = F64(nh),
      dkr = F64(nh);
    att.attention_probs_backward(dqr, dkr, dA, m.A, m.rowstat, m.qr, m.kr, B, H, T, hd, m.params);
    let dq = dqr,
      dk = dkr;
    if (c.positional === 'rope') {
      dq = F64(nh);
      dk = F64(nh);
      rope_backward(dq, dqr, B * H, T, hd);
      rope_backward(dk, dkr, B * H, T, hd);
    }
    if (m.mech === 'rndembqk' || m.mech === 'fixedseqqk') {
      const dq0 = F64(nh),
        dk0 = F64(nh);
      stream_qk_backward(dq0, dq, nh / 2);
      stream_qk_backward(dk0, dk, nh / 2);
      dq = dq0;
      dk = dk0;
    } else if (m.mech === 'staticembqk') {
      const dqkvE = F64(N * 3 * C),
        dnE = F64(N * C);
      qkv_split_backward(dqkvE, dq, dk, F64(nh), B, T, H, hd);
      matmul_backward(dnE, G(`h${l}.attn.w_qkv`), dqkvE, this.normE, P(`h${l}.attn.w_qkv`), N, C, 3 * C);
      for (let i = 0; i < N * C; i++) this.dNormE[i] += dnE[i];
      dq = F64(nh);
      dk = F64(nh);
    }
    const dqkv = F64(N * 3 * C);
    qkv_split_backward(dqkv, dq, dk, dv, B, T, H, hd);
    matmul_backward(dinp, G(`h${l}.attn.w_qkv`), dqkv, inp, P(`h${l}.attn.w_qkv`), N, C, 3 * C);
  }
}

type MixCache = AttentionCache | MlpCache | NonapproxCache;

interface MlpCache {
  kind: 'mlp';
  out: Float64Array;
  gate: Float64Array;
  up: Float64Array;
  hid: Float64Array;
  m: number;
}

interface NonapproxCache {
  kind: 'nonapprox';
  out: Float64Array;
  q: Float64Array;
  qs: Float64Array;
  k: Float64Array;
  v: Float64Array;
  y: Float64Array;
  stats: Float64Array;
  ym: Float64Array;
}

interface AttentionCache {
  kind: 'attention';
  mech: string;
  out: Float64Array;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  qr: Float64Array;
  kr: Float64Array;
  A: Float64Array;
  rowstat: Float64Array;
  Arw: Float64Array | null;
  rw: number | null;
  ym: Float64Array;
  params: att.ProbsParams;
}
