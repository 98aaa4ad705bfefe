// jax-js peer (@jax-js/jax on its own WebGPU device): matmul, softmax / lssa
// attention composed from its ops (forward, and forward+backward through
// `grad`), and the whole GPT training step as one `jit` of `valueAndGrad`
// plus AdamW. Mirrors src/reference/gpt.ts op by op (see bench/peers/common.ts).
// jax-js arrays are reference counted and every call consumes its arguments:
// a value used again later is passed as `x.ref` (see the jax-js README).
import { defaultDevice, getWebGPUDevice, grad, init, jit, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
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

type Arr = np.Array;
type Params = Record<string, Arr>;
/** Constants of one (T, hd): rope tables, causal masks, lssa scale. */
type Consts = { cos: Arr; sin: Arr; bias: Arr; ones: Arr; lscale: Arr };

let ready: Promise<void> | null = null;

/** Starts jax-js on WebGPU (once per page); throws when WebGPU is unavailable to it. */
export function initJax(): Promise<void> {
  ready ??= (async () => {
    const devs = await init('webgpu');
    if (!devs.includes('webgpu'))
      throw new Error(`jax-js: WebGPU backend unavailable (got ${devs.join(', ') || 'none'})`);
    defaultDevice('webgpu');
  })();
  return ready;
}

export function jaxAdapterDevice(): GPUDevice {
  return getWebGPUDevice();
}

const arr = (a: Float32Array, shape: number[]): Arr => np.array(a as Float32Array<ArrayBuffer>, { shape });

/** Waits for every dispatch jax-js has submitted so far. */
async function settle(x: Arr): Promise<void> {
  await x.blockUntilReady();
  await getWebGPUDevice().queue.onSubmittedWorkDone();
}

/**
 * Runs f `reps` times and waits for all of them. jax-js is lazy: an output
 * disposed before it is realised is never computed, so every output is kept
 * and realised (dropping all but the last would time one call, not `reps`).
 */
async function timed(f: () => Arr, reps: number): Promise<void> {
  const outs: Arr[] = [];
  for (let i = 0; i < reps; i++) outs.push(f());
  for (const o of outs) await o.blockUntilReady();
  await getWebGPUDevice().queue.onSubmittedWorkDone();
  for (const o of outs) o.dispose();
}

/** C [M,N] = A [M,K] . B [K,N] as `jit(matmul)`. */
export function jaxMatmul(M: number, K: number, N: number, a: Float32Array, b: Float32Array): PeerKernel {
  const A = arr(a, [M, K]),
    B = arr(b, [K, N]);
  const f = jit((x: Arr, y: Arr) => np.matmul(x, y));
  return {
    run: (reps) => timed(() => f(A.ref, B.ref), reps),
    destroy: () => {
      A.dispose();
      B.dispose();
      f.dispose();
    },
  };
}

function constsFor(T: number, hd: number): Consts {
  const { cos, sin } = ropeTables(T, hd);
  return {
    cos: arr(cos, [T, hd / 2]),
    sin: arr(sin, [T, hd / 2]),
    bias: arr(causalBias(T), [T, T]),
    ones: arr(causalOnes(T), [T, T]),
    lscale: arr(lssaScale(T, hd), [T, 1]),
  };
}

/** Half-split RoPE of x [B,H,T,hd] with tables [T, hd/2]. */
function rope(x: Arr, cos: Arr, sin: Arr): Arr {
  const [x1, x2] = np.split(x, 2, -1);
  const a = x1.ref.mul(cos.ref).sub(x2.ref.mul(sin.ref));
  const b = x1.mul(sin).add(x2.mul(cos));
  return np.concatenate([a, b], -1);
}

/** x / sqrt(|x|^2 + eps) over the last axis (lssa). */
function l2normalise(x: Arr): Arr {
  const n = np.sqrt(np.square(x.ref).sum(-1, { keepdims: true }).add(LSSA_EPS));
  return x.div(n);
}

/** Causal attention of q, k, v [B,H,T,hd] (after RoPE) composed from ops. Consumes every argument. */
function attend(mech: PeerMechanism, q: Arr, k: Arr, v: Arr, K: Consts, hd: number): Arr {
  if (mech === 'softmax') {
    K.ones.dispose();
    K.lscale.dispose();
    const s = np
      .matmul(q, np.swapaxes(k, -1, -2))
      .mul(1 / Math.sqrt(hd))
      .add(K.bias);
    return np.matmul(nn.softmax(s, -1), v);
  }
  K.bias.dispose();
  const s = np.matmul(l2normalise(q), np.swapaxes(l2normalise(k), -1, -2)).mul(K.lscale);
  const phi = nn.softplus(s).mul(K.ones);
  return np.matmul(phi.ref.div(phi.sum(-1, { keepdims: true })), v);
}

const refConsts = (K: Consts): Consts => tree.ref(K) as Consts;

/** Attention forward, or forward+backward (dq, dk, dv of sum(out * dOut)), jitted. */
export function jaxAttention(mech: PeerMechanism, x: AttentionInputs, backward: boolean): PeerKernel {
  const sh = [x.B, x.H, x.T, x.hd];
  const q = arr(x.q, sh),
    k = arr(x.k, sh),
    v = arr(x.v, sh),
    dOut = arr(x.dOut, sh);
  const K = constsFor(x.T, x.hd);
  const fwd = (q: Arr, k: Arr, v: Arr, K: Consts) => attend(mech, q, k, v, K, x.hd);
  const f = backward
    ? jit((q: Arr, k: Arr, v: Arr, d: Arr, K: Consts) =>
        np.stack(
          grad((q: Arr, k: Arr, v: Arr) => fwd(q, k, v, refConsts(K)).mul(d.ref).sum(), { argnums: [0, 1, 2] })(
            q,
            k,
            v,
          ),
        ),
      )
    : jit((q: Arr, k: Arr, v: Arr, _d: Arr, K: Consts) => {
        _d.dispose();
        return fwd(q, k, v, K);
      });
  return {
    run: (reps) => timed(() => f(q.ref, k.ref, v.ref, dOut.ref, refConsts(K)), reps),
    destroy: () => {
      tree.dispose([q, k, v, dOut, K]);
      f.dispose();
    },
  };
}

function rmsnorm(x: Arr, w: Arr): Arr {
  const r = np.reciprocal(np.sqrt(np.square(x.ref).mean(-1, { keepdims: true }).add(RMSNORM_EPS)));
  return x.mul(r).mul(w);
}

/** x [N, IC] . W^T, W [OC, IC] (our weight layout). */
const lin = (x: Arr, w: Arr): Arr => np.matmul(x, w.transpose());

/** Mean cross-entropy of the GPT over scored rows; consumes its arguments. */
function gptLoss(c: ModelConfig, d: PeerDims, P: Params, xOH: Arr, yOH: Arr, K: Consts): Arr {
  const { B, T, C, H, hd, N } = d;
  let x = np.matmul(xOH, P.wte.ref);
  for (let l = 0; l < c.nLayer; l++) {
    const h = rmsnorm(x.ref, P[`h${l}.ln1.w`]);
    const qkv = lin(h, P[`h${l}.attn.w_qkv`]).reshape([B, T, 3, H, hd]).transpose([2, 0, 3, 1, 4]);
    let [q, k, v] = np.split(qkv, 3, 0).map((a) => a.reshape([B, H, T, hd]));
    if (c.positional === 'rope') {
      q = rope(q, K.cos.ref, K.sin.ref);
      k = rope(k, K.cos.ref, K.sin.ref);
    }
    const y = attend(c.layers[l] as PeerMechanism, q, k, v, refConsts(K), hd);
    x = x.add(lin(y.transpose([0, 2, 1, 3]).reshape([N, C]), P[`h${l}.attn.w_o`]));
    const h2 = rmsnorm(x.ref, P[`h${l}.ln2.w`]);
    const f = nn.gelu(lin(h2, P[`h${l}.mlp.w_fc`]), { approximate: true });
    x = x.add(lin(f, P[`h${l}.mlp.w_proj`]));
  }
  tree.dispose(K);
  const logits = lin(rmsnorm(x, P['lnf.w']), c.tiedEmbeddings ? P.wte : P.lm_head);
  const scored = yOH.ref.sum(-1);
  const lse = nn.logsumexp(logits.ref, -1);
  const picked = logits.mul(yOH).sum(-1);
  return lse.mul(scored.ref).sub(picked).sum().div(np.maximum(scored.sum(), 1));
}

/** The default-model GPT in jax-js: `jit` of valueAndGrad + global-norm clip + AdamW. */
export class JaxGpt implements PeerGpt {
  readonly name = 'jax-js';
  private readonly table: ParamTable;
  private readonly d: PeerDims;
  private P: Params;
  private M: Params;
  private V: Params;
  private readonly K: Consts;
  private readonly vg;
  private readonly stepFn;
  private stepCount = 0;
  private pending: Arr | null = null;

  constructor(
    readonly config: ModelConfig,
    readonly cfg: TrainConfig,
    params: Float32Array,
  ) {
    checkPeerConfig(config);
    this.table = tableOf(config);
    this.d = dimsOf(config, cfg.batchSize, cfg.seqLen);
    const named = unpackArena(this.table, params);
    this.P = Object.fromEntries(named.map((t) => [t.name, arr(t.values, t.shape)]));
    this.M = Object.fromEntries(named.map((t) => [t.name, np.zeros(t.shape)]));
    this.V = Object.fromEntries(named.map((t) => [t.name, np.zeros(t.shape)]));
    this.K = constsFor(this.d.T, this.d.hd);
    const loss = (P: Params, x: Arr, y: Arr, K: Consts) => gptLoss(config, this.d, P, x, y, K);
    this.vg = jit((P: Params, x: Arr, y: Arr, K: Consts) => valueAndGrad(loss)(P, x, y, K));
    const decay = new Set(this.table.entries.filter((e) => e.decay).map((e) => e.name));
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, gradClip } = cfg;
    this.stepFn = jit((P: Params, M: Params, V: Params, x: Arr, y: Arr, K: Consts, hyper: Arr) => {
      const [lossV, G] = valueAndGrad(loss)(tree.ref(P), x, y, K);
      const names = Object.keys(P);
      const normSq = names.map((n) => np.square(G[n].ref).sum()).reduce((a, b) => a.add(b));
      const scale =
        gradClip > 0
          ? np.minimum(np.reciprocal(np.sqrt(normSq).add(1e-6)).mul(gradClip), 1)
          : (normSq.dispose(), np.array(1));
      const [lr, bias1, bias2] = np.split(hyper.slice([0, 3]), 3, 0);
      const nP: Params = {},
        nM: Params = {},
        nV: Params = {};
      for (const n of names) {
        const g = G[n].mul(scale.ref);
        const m = M[n].mul(b1).add(g.ref.mul(1 - b1));
        const v = V[n].mul(b2).add(np.square(g).mul(1 - b2));
        let upd = m.ref.div(bias1.ref).div(np.sqrt(v.ref.div(bias2.ref)).add(eps));
        if (decay.has(n)) upd = upd.add(P[n].ref.mul(wd));
        nP[n] = P[n].sub(upd.mul(lr.ref));
        nM[n] = m;
        nV[n] = v;
      }
      tree.dispose([scale, lr, bias1, bias2]);
      return [lossV, nP, nM, nV];
    });
  }

  private batch(input: Uint32Array, target: Uint32Array): [Arr, Arr] {
    const { N, V } = this.d;
    if (input.length !== N || target.length !== N) throw new Error(`batch must hold ${N} tokens`);
    return [arr(oneHot(input, V), [N, V]), arr(oneHot(target, V), [N, V])];
  }

  async lossAndGrads(input: Uint32Array, target: Uint32Array): Promise<{ loss: number; grads: Float32Array }> {
    const [x, y] = this.batch(input, target);
    const [loss, G] = this.vg(tree.ref(this.P), x, y, refConsts(this.K)) as [Arr, Params];
    const tensors = new Map<string, Float32Array>();
    for (const [n, g] of Object.entries(G)) tensors.set(n, (await g.data()) as Float32Array); // data() consumes g
    const l = (await loss.data())[0];
    return { loss: l, grads: packArena(this.table, tensors) };
  }

  async trainStep(input: Uint32Array, target: Uint32Array, log: boolean): Promise<number | null> {
    const [x, y] = this.batch(input, target);
    const hyper = arr(adamwScalars(this.stepCount, this.cfg), [8]);
    const [loss, P, M, V] = this.stepFn(this.P, this.M, this.V, x, y, refConsts(this.K), hyper) as [
      Arr,
      Params,
      Params,
      Params,
    ];
    this.P = P;
    this.M = M;
    this.V = V;
    this.stepCount++;
    this.pending?.dispose();
    this.pending = loss;
    if (!log) return null;
    return (await loss.ref.data())[0];
  }

  async sync(): Promise<void> {
    if (this.pending) await settle(this.pending);
  }

  async readParams(): Promise<Float32Array> {
    const tensors = new Map<string, Float32Array>();
    for (const [n, p] of Object.entries(this.P)) tensors.set(n, (await p.ref.data()) as Float32Array);
    return packArena(this.table, tensors);
  }

  destroy(): void {
    tree.dispose([this.P, this.M, this.V, this.K]);
    this.pending?.dispose();
    this.pending = null;
    this.vg.dispose();
    this.stepFn.dispose();
  }
}
