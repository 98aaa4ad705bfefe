// gelu_forward / gelu_backward on the GPU (shaders/gelu_forward.wgsl, shaders/gelu_backward.wgsl).
// GPT-2's tanh approximation of GELU, from shaders/gelu_common.wgsl, which the
// matmul kernels with a GELU store share (src/kernels/matmul.ts).
import bwdCode from '../../shaders/gelu_backward.wgsl?raw';
import commonCode from '../../shaders/gelu_common.wgsl?raw';
import fwdCode from '../../shaders/gelu_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

/** The gelu and gelu_grad functions, prepended to every kernel that applies them. */
export const GELU_COMMON = commonCode;

const SIZES = uniformLayout([
  ['n', 'u32'],
  ['_p0', 'u32'],
  ['_p1', 'u32'],
  ['_p2', 'u32'],
]);
const FWD = {
  label: 'gelu_forward',
  code: GELU_COMMON + fwdCode,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
const BWD = {
  label: 'gelu_backward',
  code: GELU_COMMON + bwdCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
export const KERNELS: readonly KernelSpec[] = [FWD, BWD];

/** out[n] = gelu(inp) */
export function gelu_forward(p: Program, out: BindingLike, inp: BindingLike, n: number): void {
  const u = p.uniform('gelu_forward params', packUniform(SIZES, { n }));
  p.add(FWD, [inp, out, u], elementGrid(n));
}

/** dinp[n] = dout * gelu'(inp) (written). */
export function gelu_backward(p: Program, dinp: BindingLike, inp: BindingLike, dout: BindingLike, n: number): void {
  const u = p.uniform('gelu_backward params', packUniform(SIZES, { n }));
  p.add(BWD, [inp, dout, dinp, u], elementGrid(n));
}
