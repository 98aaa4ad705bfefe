// The optimiser on the GPU: squared global gradient norm (two-stage fixed-order
// tree, shaders/grad_norm_*.wgsl) and the AdamW update (shaders/adamw.wgsl).
// Parameters, gradients and both moments are each one arena buffer laid out by
// the parameter table (src/model/params.ts): decayed matrices first, so weight
// decay applies to [0, nDecay). Clipping reads the norm from a GPU stats slot:
// a training step never reads anything back to decide its update.

import adamwCode from '../../shaders/adamw.wgsl?raw';
import finalCode from '../../shaders/grad_norm_final.wgsl?raw';
import partialCode from '../../shaders/grad_norm_partial.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformBytes, uniformLayout } from '../gpu/uniform';

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
  access: ['read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['parts', 'u32'],
      ['statsIndex', 'u32'],
      ['_pad0', 'u32'],
      ['_pad1', 'u32'],
    ]),
  },
};
const ADAMW = {
  label: 'adamw',
  code: adamwCode,
  access: ['read', 'read', 'write', 'write', 'write', 'uniform', 'uniform'] as const,
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
      ['statsIndex', 'u32'],
      ['groups', 'u32'],
    ]),
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
 * stats[statsIndex] = sum(grads[0..n)^2). `stats` is a small storage buffer of
 * floats; the other slots are left untouched. Chunks summed in order, then
 * the partials in order, so equal inputs give bitwise-equal results.
 */
export function global_norm_squared(
  p: Program,
  stats: BindingLike,
  statsIndex: number,
  grads: BindingLike,
  n: number,
): void {
  const chunk = Math.max(NORM_MIN_CHUNK, ceilDiv(n, NORM_MAX_PARTS));
  // At least one part, so n = 0 still writes 0 to the slot.
  const parts = Math.max(1, ceilDiv(n, chunk));
  const partials = p.scratch('grad_norm partials', parts);
  const u1 = p.uniform('grad_norm_partial params', packUniform(PARTIAL.uniforms.Params, { n, chunk, parts }));
  p.add(PARTIAL, [grads, partials, u1], [ceilDiv(parts, 64)]);
  const u2 = p.uniform('grad_norm_final params', packUniform(FINAL.uniforms.Params, { parts, statsIndex }));
  p.add(FINAL, [partials, stats, u2], [1]);
}

export interface AdamWArgs {
  /** Arenas of n floats (at least): parameters, gradients, first and second moments. */
  params: BindingLike;
  grads: BindingLike;
  m: BindingLike;
  v: BindingLike;
  /** The per-step uniform (see below). */
  hyper: GPUBuffer;
  /** stats[statsIndex] holds the squared gradient norm (global_norm_squared). */
  stats: BindingLike;
  statsIndex: number;
  n: number;
  /** [0, nDecay) gets weight decay. */
  nDecay: number;
}

/**
 * One AdamW step over [0, n) of the arenas, in place. `hyper` is a uniform
 * buffer (UNIFORM | COPY_DST, ADAMW_HYPER_FLOATS floats) the caller rewrites
 * with `adamwHyper` each step; this only binds it.
 *   s = gradClip > 0 ? min(1, gradClip / (sqrt(stats[statsIndex]) + 1e-6)) : 1; g = s*grad
 *   m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2
 *   param -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + (i < nDecay ? weightDecay*param : 0))
 */
export function adamw_update(p: Program, a: AdamWArgs): void {
  const { params, grads, m, v, hyper, stats, statsIndex, n, nDecay } = a;
  if (!(nDecay >= 0 && nDecay <= n)) throw new Error(`adamw_update: nDecay ${nDecay} outside [0, ${n}]`);
  const groups = groupsFor(n);
  const sizes = p.uniform('adamw sizes', packUniform(ADAMW.uniforms.Sizes, { n, nDecay, statsIndex, groups }));
  p.add(ADAMW, [grads, stats, params, m, v, hyper, sizes], [groups]);
}
