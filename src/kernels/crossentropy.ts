// Cross-entropy on the GPU: per-row losses, the fused softmax + loss gradient,
// and a deterministic mean over scored positions (shaders/crossentropy_forward.wgsl,
// shaders/fused_classifier.wgsl, shaders/loss_mean_partials.wgsl, shaders/loss_mean_final.wgsl).
// A target of 0xFFFFFFFF marks a position that is not scored.
import fwdCode from '../../shaders/crossentropy_forward.wgsl?raw';
import fusedCode from '../../shaders/fused_classifier.wgsl?raw';
import finalCode from '../../shaders/loss_mean_final.wgsl?raw';
import partialsCode from '../../shaders/loss_mean_partials.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, grid1d, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

export const IGNORE_TARGET = 0xffffffff;

const NV = uniformLayout([
  ['N', 'u32'],
  ['V', 'u32'],
  ['_p0', 'u32'],
  ['_p1', 'u32'],
]);
const FWD = {
  label: 'crossentropy_forward',
  code: fwdCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: NV },
};
const FUSED = {
  label: 'fused_classifier',
  code: fusedCode,
  access: ['read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['V', 'u32'],
      ['scale', 'f32'],
      ['_p0', 'u32'],
    ]),
  },
};
const PARTIALS = {
  label: 'loss_mean_partials',
  code: partialsCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['G', 'u32'],
      ['_p0', 'u32'],
      ['_p1', 'u32'],
    ]),
  },
};
const FINAL = {
  label: 'loss_mean_final',
  code: finalCode,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['G', 'u32'],
      ['outIndex', 'u32'],
      ['_p0', 'u32'],
      ['_p1', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [FWD, FUSED, PARTIALS, FINAL];
const CHUNK = 256; // positions per thread in loss_mean_partials.wgsl
const ROWS = 64; // threads per workgroup (one row, or one chunk, each) in these shaders

/** losses[N] = logsumexp(logits[n, :]) - logits[n, target]; 0 where target is ignored. */
export function crossentropy_forward(
  p: Program,
  losses: BindingLike,
  logits: BindingLike,
  targets: BindingLike,
  N: number,
  V: number,
): void {
  const u = p.uniform('crossentropy_forward params', packUniform(NV, { N, V }));
  p.add(FWD, [logits, targets, losses, u], grid1d(ceilDiv(N, ROWS)));
}

/**
 * losses as crossentropy_forward, and dlogits[N, V] = (softmax(logits[n]) - onehot(target)) * scale
 * (written; zero rows where the target is ignored). scale = 1 / (scored positions) gives the
 * gradient of the mean loss. Returns the params uniform so a caller whose count of
 * scored positions changes per batch can rewrite the scale with `fusedClassifierParams`.
 */
export function fused_classifier(
  p: Program,
  losses: BindingLike,
  dlogits: BindingLike,
  logits: BindingLike,
  targets: BindingLike,
  N: number,
  V: number,
  scale: number,
): GPUBuffer {
  const u = p.uniform('fused_classifier params', fusedClassifierParams(N, V, scale));
  p.add(FUSED, [logits, targets, losses, dlogits, u], grid1d(ceilDiv(N, ROWS)));
  return u;
}

export function fusedClassifierParams(N: number, V: number, scale: number): ArrayBuffer {
  return packUniform(FUSED.uniforms.Params, { N, V, scale });
}

/**
 * out[outIndex] = sum of losses over positions whose target is not ignored / their count
 * (0 if there are none). Two fixed-order stages through a scratch buffer owned by `p`.
 */
export function loss_mean(
  p: Program,
  out: BindingLike,
  outIndex: number,
  losses: BindingLike,
  targets: BindingLike,
  N: number,
): void {
  const G = Math.max(1, ceilDiv(N, CHUNK));
  const partials = p.scratch('loss_mean partials', 2 * G);
  const u1 = p.uniform('loss_mean_partials params', packUniform(PARTIALS.uniforms.Params, { N, G }));
  p.add(PARTIALS, [losses, targets, partials, u1], grid1d(ceilDiv(G, ROWS)));
  const u2 = p.uniform('loss_mean_final params', packUniform(FINAL.uniforms.Params, { G, outIndex }));
  p.add(FINAL, [partials, out, u2], [1]);
}
