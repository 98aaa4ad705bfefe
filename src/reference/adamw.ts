// float64 CPU reference for src/kernels/adamw.ts (global norm and AdamW step).
import type { AdamWConfig } from '../kernels/adamw';

/** The per-step hyper-parameters, as the GPU uniform holds them. */
export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 - beta1^t */
  bias1: number;
  /** 1 - beta2^t */
  bias2: number;
  /** 0 = off */
  gradClip: number;
}

/** The hyper object for step t (1-based) and learning rate lr. */
export function adamwHyper(step: number, lr: number, cfg: AdamWConfig): AdamWHyper {
  if (!Number.isInteger(step) || step < 1) throw new Error(`adamwHyper: step must be a 1-based integer, got ${step}`);
  return {
    lr,
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    weightDecay: cfg.weightDecay,
    bias1: 1 - Math.pow(cfg.beta1, step),
    bias2: 1 - Math.pow(cfg.beta2, step),
    gradClip: cfg.gradClip,
  };
}

/** stats[statsIndex] = sum(grads[0..n)^2) */
export function global_norm_squared(
  stats: Float64Array,
  statsIndex: number,
  grads: ArrayLike<number>,
  n: number,
): void {
  let s = 0;
  for (let i = 0; i < n; i++) s += grads[i] * grads[i];
  stats[statsIndex] = s;
}

/** The factor gradients are multiplied by before the moments see them. */
export function clipScale(normSquared: number, gradClip: number): number {
  return gradClip > 0 ? Math.min(1, gradClip / (Math.sqrt(normSquared) + 1e-6)) : 1;
}

/** One AdamW step over [0, n), in place; [0, nDecay) gets decoupled weight decay. */
export function adamw_update(
  params: Float64Array,
  grads: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  hyper: AdamWHyper,
  stats: ArrayLike<number>,
  statsIndex: number,
  n: number,
  nDecay: number,
): void {
  const { lr, beta1, beta2, eps, weightDecay, bias1, bias2 } = hyper;
  const s = clipScale(stats[statsIndex], hyper.gradClip);
  for (let i = 0; i < n; i++) {
    const g = s * grads[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    let upd = m[i] / bias1 / (Math.sqrt(v[i] / bias2) + eps);
    if (i < nDecay) upd += weightDecay * params[i];
    params[i] -= lr * upd;
  }
}
