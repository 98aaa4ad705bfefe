// TensorFlow.js peer (@tensorflow/tfjs-core + the WebGPU backend, its own
// device): matmul, softmax / lssa attention composed from its ops (forward,
// and forward+backward through `tf.grads`), and the whole GPT training step
// (tf.valueAndGrads, global-norm clip, AdamW) inside one tf.tidy. Mirrors
// src/reference/gpt.ts op by op (see bench/peers/common.ts). TF.js has no
// graph compiler: every op is its own dispatch.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
// The chained methods (x.mul(y), x.sum()) live in a side-effect module the tfjs-core entry does not import.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
// So are the gradients (the tfjs union package imports both).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { ModelConfig, TrainConfig } from '../../src/config';
import type { ParamTable } from '../../src/model/params';
import { LSSA_EPS } from '../../src/reference/attention';
import { RMSNORM_EPS } from '../../src/reference/rmsnorm';
import {
  type AttentionInputs,
  adamwScalars,
  causalBias,
  causalOnes,
  checkPeerConfig,
  dimsOf,
  lssaScale,
  oneHot,
  type PeerDims,
  type PeerGpt,
  type PeerKernel,
  type PeerMechanism,
  packArena,
  ropeTables,
  tableOf,
  unpackArena,
} from './common';

type T = tf.Tensor;
type Consts = { cos: T; sin: T; bias: T; ones: T; lscale: T };

let ready: Promise<void> | null = null;

/** Selects the WebGPU backend (once per page); throws when it cannot start. */
export function initTf(): Promise<void> {
  ready ??= (async () => {
    if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js: the webgpu backend failed to initialise');
    await tf.ready();
  })();
  return ready;
}

/** Waits for `t` (and, the queue being in order, everything before it): reads one element. */
async function settle(t: T): Promise<void> {
  const one = tf.tidy(() => t.reshape([-1]).slice(0, 1));
  await one.data();
  one.dispose();
}

async function timed(f: () => T, reps: number): Promise<void> {
  let last: T | null = null;
  for (let i = 0; i < reps; i++) {
    last?.dispose();
    last = f();
  }
  if (last) {
    await settle(last);
    last.dispose();
  }
}

/** C [M,N] = A [M,K] . B [K,N]. */
export function tfMatmul(M: number, K: number, N: number, a: Float32Array, b: Float32Array): PeerKernel {
  const A = tf.tensor2d(a, [M, K]),
    B = tf.tensor2d(b, [K, N]);
  return {
    run: (reps) => timed(() => tf.matMul(A, B), reps),
    destroy: () => tf.dispose([A, B]),
  };
}

function constsFor(T: number, hd: number): Consts {
  const { cos, sin } = ropeTables(T, hd);
  return {
    cos: tf.tensor(cos, [T, hd / 2]),
    sin: tf.tensor(sin, [T, hd / 2]),
    bias: tf.tensor(causalBias(T), [T, T]),
    ones: tf.tensor(causalOnes(T), [T, T]),
    lscale: tf.tensor(lssaScale(T, hd), [T, 1]),
  };
}

function rope(x: T, K: Consts): T {
  const [x1, x2] = tf.split(x, 2, -1);
  return tf.concat([x1.mul(K.cos).sub(x2.mul(K.sin)), x1.mul(K.sin).add(x2.mul(K.cos))], -1);
}

const l2normalise = (x: T): T => x.div(tf.sqrt(tf.square(x).sum(-1, true).add(LSSA_EPS)));

/** Causal attention of q, k, v [B,H,T,hd] (after RoPE) composed from ops. */
function attend(mech: PeerMechanism, q: T, k: T, v: T, K: Consts, hd: number): T {
  if (mech === 'softmax')
    return tf.matMul(
      tf.softmax(
        tf
          .matMul(q, k, false, true)
          .mul(1 / Math.sqrt(hd))
          .add(K.bias),
      ),
      v,
    );
  const phi = tf.softplus(tf.matMul(l2normalise(q), l2normalise(k), false, true).mul(K.lscale)).mul(K.ones);
  return tf.matMul(phi.div(phi.sum(-1, true)), v);
}

/** Attention forward, or forward+backward (dq, dk, dv of sum(out * dOut)). */
export function tfAttention(mech: PeerMechanism, x: AttentionInputs, backward: boolean): PeerKernel {
  const sh = [x.B, x.H, x.T, x.hd];
  const q = tf.tensor(x.q, sh),
    k = tf.tensor(x.k, sh),
    v = tf.tensor(x.v, sh),
    d = tf.tensor(x.dOut, sh);
  const K = constsFor(x.T, x.hd);
  const f = (q: T, k: T, v: T) => attend(mech, q, k, v, K, x.hd);
  const g = tf.grads((q: T, k: T, v: T) => f(q, k, v).mul(d).sum());
  const once = backward ? () => tf.tidy(() => tf.stack(g([q, k, v]))) : () => tf.tidy(() => f(q, k, v));
  return {
    run: (reps) => timed(once, reps),
    destroy: () => tf.dispose([q, k, v, d, ...Object.values(K)]),
  };
}

function rmsnorm(x: T, w: T): T {
  return x.mul(tf.rsqrt(tf.square(x).mean(-1, true).add(RMSNORM_EPS))).mul(w);
}

const GELU_S = Math.sqrt(2 / Math.PI);
/** GPT-2's tanh GELU (src/reference/gelu.ts). */
const gelu = (x: T): T => x.mul(0.5).mul(tf.tanh(x.add(x.mul(x).mul(x).mul(0.044715)).mul(GELU_S)).add(1));

/** x [N, IC] . W^T, W [OC, IC]. */
const lin = (x: T, w: T): T => tf.matMul(x, w, false, true);

function gptLoss(c: ModelConfig, d: PeerDims, P: Map<string, T>, xOH: T, yOH: T, K: Consts): tf.Scalar {
  const { B, T, C, H, hd, N } = d;
  const p = (n: string) => P.get(n)!;
  let x = tf.matMul(xOH, p('wte'));
  for (let l = 0; l < c.nLayer; l++) {
    const h = rmsnorm(x, p(`h${l}.ln1.w`));
    const qkv = lin(h, p(`h${l}.attn.w_qkv`))
      .reshape([B, T, 3, H, hd])
      .transpose([2, 0, 3, 1, 4]);
    let [q, k, v] = tf.split(qkv, 3, 0).map((a) => a.reshape([B, H, T, hd]));
    if (c.positional === 'rope') {
      q = rope(q, K);
      k = rope(k, K);
    }
    const y = attend(c.layers[l] as PeerMechanism, q, k, v, K, hd);
    x = x.add(lin(y.transpose([0, 2, 1, 3]).reshape([N, C]), p(`h${l}.attn.w_o`)));
    const f = gelu(lin(rmsnorm(x, p(`h${l}.ln2.w`)), p(`h${l}.mlp.w_fc`)));
    x = x.add(lin(f, p(`h${l}.mlp.w_proj`)));
  }
  const logits = lin(rmsnorm(x, p('lnf.w')), p(c.tiedEmbeddings ? 'wte' : 'lm_head'));
  const scored = yOH.sum(-1);
  const rows = tf.logSumExp(logits, -1).mul(scored).sub(logits.mul(yOH).sum(-1));
  return rows.sum().div(tf.maximum(scored.sum(), 1)) as tf.Scalar;
}

/** The default-model GPT in TensorFlow.js, trained with the same AdamW as ours. */
export class TfGpt implements PeerGpt {
  readonly name = 'TensorFlow.js';
  private readonly table: ParamTable;
  private readonly d: PeerDims;
  private readonly names: string[];
  private readonly decay: boolean[];
  private P: T[];
  private M: T[];
  private V: T[];
  private readonly K: Consts;
  private stepCount = 0;
  private pending: T | null = null;

  constructor(
    readonly config: ModelConfig,
    readonly cfg: TrainConfig,
    params: Float32Array,
  ) {
    checkPeerConfig(config);
    this.table = tableOf(config);
    this.d = dimsOf(config, cfg.batchSize, cfg.seqLen);
    const named = unpackArena(this.table, params);
    this.names = named.map((t) => t.name);
    this.decay = this.table.entries.map((e) => e.decay);
    this.P = named.map((t) => tf.tensor(t.values, t.shape));
    this.M = named.map((t) => tf.zeros(t.shape));
    this.V = named.map((t) => tf.zeros(t.shape));
    this.K = constsFor(this.d.T, this.d.hd);
  }

  private valueAndGrads(xOH: T, yOH: T): { value: T; grads: T[] } {
    return tf.valueAndGrads((...ps: T[]) =>
      gptLoss(this.config, this.d, new Map(this.names.map((n, i) => [n, ps[i]])), xOH, yOH, this.K),
    )(this.P);
  }

  private batch(input: Uint32Array, target: Uint32Array): [T, T] {
    const { N, V } = this.d;
    if (input.length !== N || target.length !== N) throw new Error(`batch must hold ${N} tokens`);
    return [tf.tensor2d(oneHot(input, V), [N, V]), tf.tensor2d(oneHot(target, V), [N, V])];
  }

  async lossAndGrads(input: Uint32Array, target: Uint32Array): Promise<{ loss: number; grads: Float32Array }> {
    const [x, y] = this.batch(input, target);
    const { value, grads } = tf.tidy(() => this.valueAndGrads(x, y));
    const tensors = new Map<string, Float32Array>();
    for (let i = 0; i < grads.length; i++) tensors.set(this.names[i], (await grads[i].data()) as Float32Array);
    const loss = (await value.data())[0];
    tf.dispose([x, y, value, ...grads]);
    return { loss, grads: packArena(this.table, tensors) };
  }

  async trainStep(input: Uint32Array, target: Uint32Array, log: boolean): Promise<number | null> {
    const [x, y] = this.batch(input, target);
    const h = adamwScalars(this.stepCount, this.cfg);
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, gradClip } = this.cfg;
    const out = tf.tidy(() => {
      const { value, grads } = this.valueAndGrads(x, y);
      // A sum of adds, not tf.addN: addN over more inputs than the adapter has storage bindings returns garbage.
      const normSq = grads.map((g) => tf.square(g).sum()).reduce((a, b) => a.add(b));
      const scale = gradClip > 0 ? tf.minimum(tf.scalar(gradClip).div(tf.sqrt(normSq).add(1e-6)), 1) : tf.scalar(1);
      const lr = tf.scalar(h[0]),
        bias1 = tf.scalar(h[1]),
        bias2 = tf.scalar(h[2]);
      const P: T[] = [],
        M: T[] = [],
        V: T[] = [];
      grads.forEach((g0, i) => {
        const g = g0.mul(scale);
        const m = this.M[i].mul(b1).add(g.mul(1 - b1));
        const v = this.V[i].mul(b2).add(tf.square(g).mul(1 - b2));
        let upd = m.div(bias1).div(tf.sqrt(v.div(bias2)).add(eps));
        if (this.decay[i]) upd = upd.add(this.P[i].mul(wd));
        P.push(this.P[i].sub(upd.mul(lr)));
        M.push(m);
        V.push(v);
      });
      return { value, P, M, V };
    });
    tf.dispose([x, y, ...this.P, ...this.M, ...this.V]);
    this.P = out.P;
    this.M = out.M;
    this.V = out.V;
    this.stepCount++;
    this.pending?.dispose();
    this.pending = out.value;
    if (!log) return null;
    return (await out.value.data())[0];
  }

  async sync(): Promise<void> {
    if (this.pending) await settle(this.pending);
  }

  async readParams(): Promise<Float32Array> {
    const tensors = new Map<string, Float32Array>();
    for (let i = 0; i < this.P.length; i++) tensors.set(this.names[i], (await this.P[i].data()) as Float32Array);
    return packArena(this.table, tensors);
  }

  destroy(): void {
    tf.dispose([...this.P, ...this.M, ...this.V, ...Object.values(this.K)]);
    this.pending?.dispose();
    this.pending = null;
  }
}
