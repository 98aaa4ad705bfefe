// rmsnorm_forward / rmsnorm_backward on the GPU (shaders/rmsnorm_forward.wgsl,
// shaders/rmsnorm_backward.wgsl, shaders/rmsnorm_backward_dweight.wgsl). No bias.
import bwdCode from '../../shaders/rmsnorm_backward.wgsl?raw';
import dwCode from '../../shaders/rmsnorm_backward_dweight.wgsl?raw';
import fwdCode from '../../shaders/rmsnorm_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, grid1d, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

export const RMSNORM_EPS = 1e-5;

const FWD = {
  label: 'rmsnorm_forward',
  code: fwdCode,
  access: ['read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['C', 'u32'],
      ['eps', 'f32'],
      ['_pad', 'u32'],
    ]),
  },
};
const BWD = {
  label: 'rmsnorm_backward',
  code: bwdCode,
  access: ['read', 'read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['C', 'u32'],
      ['accumulate', 'u32'],
      ['_pad', 'u32'],
    ]),
  },
};
const DW = {
  label: 'rmsnorm_backward_dweight',
  code: dwCode,
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['C', 'u32'],
      ['_p0', 'u32'],
      ['_p1', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [FWD, BWD, DW];
const DW_COLS = 32; // columns per workgroup in rmsnorm_backward_dweight.wgsl
const ROWS = 64; // rows (one per thread) per workgroup in rmsnorm_forward.wgsl and rmsnorm_backward.wgsl

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
  const u = p.uniform('rmsnorm_forward params', packUniform(FWD.uniforms.Params, { N, C, eps: RMSNORM_EPS }));
  p.add(FWD, [inp, weight, out, rstd, u], grid1d(ceilDiv(N, ROWS)));
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
  const u = p.uniform(
    'rmsnorm_backward params',
    packUniform(BWD.uniforms.Params, { N, C, accumulate: accumulate ? 1 : 0 }),
  );
  p.add(BWD, [dout, inp, weight, rstd, dinp, u], grid1d(ceilDiv(N, ROWS)));
  const uw = p.uniform('rmsnorm_backward_dweight params', packUniform(DW.uniforms.Params, { N, C }));
  p.add(DW, [dout, inp, rstd, dweight, uw], [ceilDiv(C, DW_COLS)]);
}
