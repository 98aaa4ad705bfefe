// The optimiser on the GPU: squared global gradient norm (two-stage fixed-order
// tree, shaders/grad_norm_*.wgsl) and the AdamW update (shaders/adamw.wgsl).
// Parameters, gradients and both moments are each one arena buffer laid out by
// the parameter table (src/model/params.ts): decayed matrices first, so weight
// decay applies to [0, nDecay). Clipping reads the norm from a GPU stats slot:
// a training step never reads anything back to decide its update.
// The two passes also keep the non-finite record (src/kernels/nonfinite.ts):
// the norm's final stage checks the loss and, only in chunks whose partial is
// not finite, the gradients; the update checks each parameter it writes. So
// divergence detection costs no pass of its own over the arenas.

import adamwCode from '../../shaders/adamw.wgsl?raw';
import finalCode from '../../shaders/grad_norm_final.wgsl?raw';
import partialCode from '../../shaders/grad_norm_partial.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformBytes, uniformLayout } from '../gpu/uniform';
import { NO_RECORD, NONFINITE_STEP_BYTES, STEP_LAYOUT } from './nonfinite';

const PARTIAL = {
  label: 'grad_norm_partial',
  code: partialCode,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['n', 'u32'],
      ['chunk', 'u32'],
      ['parts', 'u32'],
      ['_pad0', 'u32'],
    ]),
  },
};
const FINAL = {
  label: 'grad_norm_final',
  code: finalCode,
  access: ['write', 'read', 'write', 'uniform', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['parts', 'u32'],
      ['statsIndex', 'u32'],
      ['chunk', 'u32'],
      ['n', 'u32'],
      ['recordIndex', 'u32'],
      ['lossIndex', 'u32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
    ]),
    Step: STEP_LAYOUT,
  },
};
const ADAMW = {
  label: 'adamw',
  code: adamwCode,
  access: ['read', 'read', 'write', 'write', 'write', 'write', 'uniform', 'uniform', 'uniform'] as const,
  uniforms: {
    Hyper: uniformLayout([
      ['lr', 'f32'],
      ['beta1', 'f32'],
      ['beta2', 'f32'],
      ['eps', 'f32'],
      ['weightDecay', 'f32'],
      ['bias1', 'f32'],
      ['bias2', 'f32'],
      ['gradClip', 'f32'],
    ]),
    Sizes: uniformLayout([
      ['n', 'u32'],
      ['nDecay', 'u32'],
      ['normIndex', 'u32'],
      ['groups', 'u32'],
      ['recordIndex', 'u32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
      ['_pad2', 'u32'],
    ]),
    Step: STEP_LAYOUT,
  },
};
export const KERNELS: readonly KernelSpec[] = [PARTIAL, FINAL, ADAMW];

const WG = 256;
/**
 * Workgroup cap for the update: 1024 x 256 threads cover a large GPU, and
 * beyond that each thread loops (grid-stride), so the dispatch stays 1-D for any n.
 */
export const OPTIMIZER_MAX_GROUPS = 1024;
const groupsFor = (n: number): number => Math.min(ceilDiv(n, WG), OPTIMIZER_MAX_GROUPS);

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradClip: number /* 0 = off */;
}

/** Size in floats of the per-step uniform written by `adamwHyper`. */
export const ADAMW_HYPER_FLOATS = uniformBytes(ADAMW.uniforms.Hyper) / 4;

/**
 * Packs the per-step uniform: lr, beta1, beta2, eps, weightDecay, 1-beta1^t,
 * 1-beta2^t, gradClip. The bias corrections are computed in float64 here, so
 * the GPU never evaluates pow(beta, t) in f32.
 */
export function adamwHyper(step: number /* 1-based t */, lr: number, cfg: AdamWConfig): ArrayBuffer {
  if (!Number.isInteger(step) || step < 1) throw new Error(`adamwHyper: step must be a 1-based integer, got ${step}`);
  return packUniform(ADAMW.uniforms.Hyper, {
    lr,
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    weightDecay: cfg.weightDecay,
    bias1: 1 - Math.pow(cfg.beta1, step),
    bias2: 1 - Math.pow(cfg.beta2, step),
    gradClip: cfg.gradClip,
  });
}

/** Elements per partial: at least 256, and at most 4096 partials for the final fold. */
const NORM_MIN_CHUNK = 256;
const NORM_MAX_PARTS = 4096;

/**
 * The non-finite record's half kept by the norm (see src/kernels/nonfinite.ts):
 * while stats[index] is 0, a NaN or infinite loss (f32 bits at stats[lossIndex];
 * NO_LOSS skips it) or gradient records {step, what, index} at stats[index..+3)
 * with the loss first; otherwise stats[index + 2] is set to 0xFFFFFFFF for
 * adamw_update to lower. `step` is a UNIFORM | COPY_DST buffer of
 * NONFINITE_STEP_BYTES the caller rewrites with `nonfiniteStep`.
 */
export interface NormRecord {
  index: number;
  lossIndex: number;
  step: GPUBuffer;
}

/** Where adamw_update reads the norm and the record flag: the partials' scratch, after the partials. */
export interface NormTail {
  buffer: GPUBuffer;
  index: number;
}

/** Floats of global_norm_squared's scratch: the partials, then the norm and the record flag. */
export function normScratchFloats(n: number): number {
  return Math.max(1, ceilDiv(n, normChunk(n))) + 2;
}
const normChunk = (n: number): number => Math.max(NORM_MIN_CHUNK, ceilDiv(n, NORM_MAX_PARTS));

/**
 * stats[statsIndex] = sum(grads[0..n)^2). `stats` is a small storage buffer of
 * floats; the other slots are left untouched unless `record` is given. Chunks
 * summed in order, then the partials in order, so equal inputs give
 * bitwise-equal results. Returns where adamw_update reads the norm.
 */
export function global_norm_squared(
  p: Program,
  stats: BindingLike,
  statsIndex: number,
  grads: BindingLike,
  n: number,
  record?: NormRecord,
): NormTail {
  const chunk = normChunk(n);
  // At least one part, so n = 0 still writes 0 to the slot.
  const parts = Math.max(1, ceilDiv(n, chunk));
  const partials = p.scratch('grad_norm partials', normScratchFloats(n));
  const u1 = p.uniform('grad_norm_partial params', packUniform(PARTIAL.uniforms.Params, { n, chunk, parts }));
  p.add(PARTIAL, [grads, partials, u1], [ceilDiv(parts, 64)]);
  const recordIndex = record?.index ?? NO_RECORD;
  const lossIndex = record?.lossIndex ?? NO_RECORD;
  const u2 = p.uniform(
    'grad_norm_final params',
    packUniform(FINAL.uniforms.Params, { parts, statsIndex, chunk, n, recordIndex, lossIndex }),
  );
  // Without a record the step is never read, but the binding must exist.
  const step = record?.step ?? p.uniform('grad_norm_final no step', new ArrayBuffer(NONFINITE_STEP_BYTES));
  p.add(FINAL, [partials, grads, stats, u2, step], [1]);
  return { buffer: partials, index: parts };
}

export interface AdamWArgs {
  /** Arenas of n floats (at least): parameters, gradients, first and second moments. */
  params: BindingLike;
  grads: BindingLike;
  m: BindingLike;
  v: BindingLike;
  /** The per-step uniform (see below). */
  hyper: GPUBuffer;
  /** The squared gradient norm and the record flag (what global_norm_squared returned). */
  norm: NormTail;
  /** The stats buffer that holds the non-finite record. */
  stats: BindingLike;
  n: number;
  /** [0, nDecay) gets weight decay. */
  nDecay: number;
  /**
   * The non-finite record, as given to global_norm_squared earlier in the same
   * pass (it arms the record this completes; the step is read from the same
   * per-step uniform); omitted: no check.
   */
  record?: Pick<NormRecord, 'index' | 'step'>;
}

/**
 * One AdamW step over [0, n) of the arenas, in place. `hyper` is a uniform
 * buffer (UNIFORM | COPY_DST, ADAMW_HYPER_FLOATS floats) the caller rewrites
 * with `adamwHyper` each step; this only binds it.
 *   s = gradClip > 0 ? min(1, gradClip / (sqrt(norm^2) + 1e-6)) : 1; g = s*grad
 *   m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2
 *   param -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + (i < nDecay ? weightDecay*param : 0))
 * With `record`, the first non-finite parameter written completes the
 * step's non-finite record as {t, NONFINITE_B, index} unless the norm's stage
 * (or an earlier step) has recorded already. `stats` is bound writable.
 */
export function adamw_update(p: Program, a: AdamWArgs): void {
  const { params, grads, m, v, hyper, norm, stats, n, nDecay, record } = a;
  const recordIndex = record?.index ?? NO_RECORD;
  if (!(nDecay >= 0 && nDecay <= n)) throw new Error(`adamw_update: nDecay ${nDecay} outside [0, ${n}]`);
  const groups = groupsFor(n);
  const sizes = p.uniform(
    'adamw sizes',
    packUniform(ADAMW.uniforms.Sizes, { n, nDecay, normIndex: norm.index, groups, recordIndex }),
  );
  // Without a record the step is never read, but the binding must exist.
  const step = record?.step ?? p.uniform('adamw no step', new ArrayBuffer(NONFINITE_STEP_BYTES));
  p.add(ADAMW, [grads, { buffer: norm.buffer }, stats, params, m, v, hyper, sizes, step], [groups]);
}
