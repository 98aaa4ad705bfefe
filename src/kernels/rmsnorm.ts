// rmsnorm_forward / rmsnorm_backward on the GPU (shaders/rmsnorm_forward.wgsl,
// shaders/rmsnorm_backward.wgsl), and residual_rmsnorm_forward, the residual
// add fused into the norm that follows it (shaders/residual_rmsnorm_forward.wgsl).
// No bias.

import resFwdCode from '../../shaders/residual_rmsnorm_forward.wgsl?raw';
import bwdCode from '../../shaders/rmsnorm_backward.wgsl?raw';
import fwdCode from '../../shaders/rmsnorm_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, grid1d, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

export const RMSNORM_EPS = 1e-5;

const FWD_PARAMS = uniformLayout([
  ['N', 'u32'],
  ['C', 'u32'],
  ['eps', 'f32'],
  ['_pad', 'u32'],
]);
const FWD = {
  label: 'rmsnorm_forward',
  code: fwdCode,
  access: ['read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms: { Params: FWD_PARAMS },
};
const RES_FWD = {
  label: 'residual_rmsnorm_forward',
  code: resFwdCode,
  access: ['read', 'read', 'read', 'write', 'write', 'write', 'uniform'] as const,
  uniforms: { Params: FWD_PARAMS },
};
const BWD = {
  label: 'rmsnorm_backward',
  code: bwdCode,
  access: ['read', 'read', 'read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['C', 'u32'],
      ['accumulate', 'u32'],
      ['rowGroups', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [FWD, RES_FWD, BWD];
const ROWS = 64; // rows (or columns), one per thread, per workgroup in every rmsnorm shader

/** out[N, C] = inp * rstd * weight; rstd[N] = 1 / sqrt(mean(inp^2) + RMSNORM_EPS). */
export function rmsnorm_forward(
  p: Program,
  out: BindingLike,
  rstd: BindingLike,
  inp: BindingLike,
  weight: BindingLike,
  N: number,
  C: number,
): void {
  const u = p.uniform('rmsnorm_forward params', packUniform(FWD_PARAMS, { N, C, eps: RMSNORM_EPS }));
  p.add(FWD, [inp, weight, out, rstd, u], grid1d(ceilDiv(N, ROWS)));
}

/**
 * res[N, C] = a + b, then rmsnorm_forward of res into out and rstd, in one dispatch.
 * Its backward is rmsnorm_backward's with accumulate (the residual passes the gradient on).
 */
export function residual_rmsnorm_forward(p: Program, a: ResidualRmsnormArgs): void {
  const { res, out, rstd, a: x, b, weight, N, C } = a;
  const u = p.uniform('residual_rmsnorm_forward params', packUniform(FWD_PARAMS, { N, C, eps: RMSNORM_EPS }));
  p.add(RES_FWD, [x, b, weight, res, out, rstd, u], grid1d(ceilDiv(N, ROWS)));
}

export interface ResidualRmsnormArgs {
  /** [N, C], written: a + b. */
  res: BindingLike;
  /** [N, C] and [N], written: the norm of res, as rmsnorm_forward. */
  out: BindingLike;
  rstd: BindingLike;
  /** [N, C] each: the residual stream and the sub-layer output added to it. */
  a: BindingLike;
  b: BindingLike;
  /** [C]. */
  weight: BindingLike;
  N: number;
  C: number;
}

export interface RmsnormBackwardArgs {
  /** [N, C], written (or added to when `accumulate`). */
  dinp: BindingLike;
  /** [C], accumulated. */
  dweight: BindingLike;
  /** [N, C]; the forward's input inp [N, C], weight [C] and rstd [N]. */
  dout: BindingLike;
  inp: BindingLike;
  weight: BindingLike;
  rstd: BindingLike;
  N: number;
  C: number;
  /** Add to dinp instead of writing it (the residual stream's gradient). */
  accumulate: boolean;
}

/**
 * dinp[N, C] written (or added to when `accumulate`, for the residual stream);
 * dweight[C] accumulated (parameter gradient). `rstd` comes from the forward pass.
 */
export function rmsnorm_backward(p: Program, a: RmsnormBackwardArgs): void {
  const { dinp, dweight, dout, inp, weight, rstd, N, C, accumulate } = a;
  // Row workgroups first, then column workgroups, in one dispatch (shaders/rmsnorm_backward.wgsl).
  const rowGroups = ceilDiv(N, ROWS);
  const u = p.uniform(
    'rmsnorm_backward params',
    packUniform(BWD.uniforms.Params, { N, C, accumulate: accumulate ? 1 : 0, rowGroups }),
  );
  p.add(BWD, [dout, inp, weight, rstd, dinp, dweight, u], grid1d(rowGroups + ceilDiv(C, ROWS)));
}
