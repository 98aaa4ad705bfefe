// What the peer implementations (bench/peers/jax.ts, bench/peers/tf.ts) share:
// the model's constant tables, the arena <-> named-tensor conversion, the
// AdamW hyper-parameters per step, and the interface the bench and tests use.
// The peers mirror src/reference/gpt.ts op by op (pre-norm RMSNorm, RoPE
// half-split, GELU tanh, tied embeddings, AdamW with decay on matrices only,
// global-norm clipping); these tables make that mirror exact.
import type { ModelConfig, TrainConfig } from '../../src/config';
import { buildParamTable, type ParamTable, paramSpecs } from '../../src/model/params';
import { ropeAngle } from '../../src/reference/rope';
import { learningRate } from '../../src/train/schedule';

export type PeerMechanism = 'softmax' | 'lssa';

/** The model subset the peers implement: attention layers of one mechanism kind each, rope/nope. */
export function checkPeerConfig(c: ModelConfig): void {
  for (const m of c.layers)
    if (m !== 'softmax' && m !== 'lssa')
      throw new Error(`peer models implement softmax and lssa layers only, not ${m}`);
  if (c.positional === 'alibi') throw new Error('peer models implement rope and nope only');
  if (c.reweight.mode === 'train') throw new Error('peer models do not implement re-weighting');
}

/** One named tensor of the parameter arena. */
export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export function tableOf(c: ModelConfig): ParamTable {
  return buildParamTable(paramSpecs(c));
}

/** The arena split into its tensors (copies, in table order). */
export function unpackArena(table: ParamTable, arena: Float32Array): NamedTensor[] {
  if (arena.length !== table.total) throw new Error(`expected ${table.total} arena floats, got ${arena.length}`);
  return table.entries.map((e) => ({ name: e.name, shape: e.shape, values: arena.slice(e.offset, e.offset + e.size) }));
}

/** Named tensors back into one arena (padding zero), so grads compare with ours entry by entry. */
export function packArena(table: ParamTable, tensors: Map<string, ArrayLike<number>>): Float32Array {
  const out = new Float32Array(table.total);
  for (const e of table.entries) {
    const t = tensors.get(e.name);
    if (!t || t.length !== e.size) throw new Error(`tensor ${e.name}: expected ${e.size} floats, got ${t?.length}`);
    out.set(t, e.offset);
  }
  return out;
}

/** cos and sin [T, hd/2] of the half-split RoPE (src/reference/rope.ts). */
export function ropeTables(T: number, hd: number): { cos: Float32Array; sin: Float32Array } {
  const half = hd / 2;
  const cos = new Float32Array(T * half),
    sin = new Float32Array(T * half);
  for (let t = 0; t < T; t++)
    for (let m = 0; m < half; m++) {
      const a = ropeAngle(t, m, hd);
      cos[t * half + m] = Math.cos(a);
      sin[t * half + m] = Math.sin(a);
    }
  return { cos, sin };
}

/** [T, T]: 1 on and below the diagonal, 0 above (lssa multiplies phi by it). */
export function causalOnes(T: number): Float32Array {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) m.fill(1, i * T, i * T + i + 1);
  return m;
}

/** [T, T]: 0 on and below the diagonal, -1e9 above (added to softmax logits; exp underflows to exactly 0). */
export function causalBias(T: number): Float32Array {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) m.fill(-1e9, i * T + i + 1, (i + 1) * T);
  return m;
}

/** [T, 1]: lssa's logit scale c_i = ln(hd) ln(i+1). */
export function lssaScale(T: number, hd: number): Float32Array {
  return Float32Array.from({ length: T }, (_, i) => Math.log(hd) * Math.log(i + 1));
}

/** [N, V] one-hot rows; an ignored target (>= V) gives a zero row (no loss, no gradient). */
export function oneHot(ids: Uint32Array, V: number): Float32Array {
  const out = new Float32Array(ids.length * V);
  ids.forEach((t, n) => {
    if (t < V) out[n * V + t] = 1;
  });
  return out;
}

/** Per-step scalars of AdamW as one [8] vector (input to a compiled step, so no recompilation). */
export function adamwScalars(step0: number, cfg: TrainConfig): Float32Array {
  const lr = learningRate(step0, {
    lr: cfg.lr,
    warmupSteps: cfg.warmupSteps,
    steps: cfg.steps,
    minLrRatio: cfg.minLrRatio,
  });
  const t = step0 + 1;
  return Float32Array.from([lr, 1 - Math.pow(cfg.beta1, t), 1 - Math.pow(cfg.beta2, t), 0, 0, 0, 0, 0]);
}

/** Attention microbenchmark inputs, after the projections and RoPE: q, k, v, dOut [B,H,T,hd]. */
export interface AttentionInputs {
  B: number;
  H: number;
  T: number;
  hd: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  dOut: Float32Array;
}

/** A timed piece of peer work: `run` enqueues `reps` repetitions and resolves when they are done. */
export interface PeerKernel {
  run(reps: number): Promise<void>;
  destroy(): void;
}

/** A peer's GPT (same table, same initial weights, same optimiser as ours). */
export interface PeerGpt {
  readonly name: string;
  /** Loss and parameter gradients in our arena layout (no optimiser step). */
  lossAndGrads(input: Uint32Array, target: Uint32Array): Promise<{ loss: number; grads: Float32Array }>;
  /** One AdamW step; with `log`, waits and returns the step's loss. */
  trainStep(input: Uint32Array, target: Uint32Array, log: boolean): Promise<number | null>;
  /** Waits for all enqueued work. */
  sync(): Promise<void>;
  /** The parameters in our arena layout. */
  readParams(): Promise<Float32Array>;
  destroy(): void;
}

export interface PeerDims {
  B: number;
  T: number;
  C: number;
  H: number;
  hd: number;
  V: number;
  F: number;
  N: number;
}

export function dimsOf(c: ModelConfig, B: number, T: number): PeerDims {
  return { B, T, C: c.nEmbd, H: c.nHead, hd: c.nEmbd / c.nHead, V: c.vocabSize, F: c.mlpRatio * c.nEmbd, N: B * T };
}
