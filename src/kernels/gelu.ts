// gelu_forward / gelu_backward on the GPU (shaders/gelu_forward.wgsl, shaders/gelu_backward.wgsl).
// GPT-2's tanh approximation of GELU.
import bwdCode from '../../shaders/gelu_backward.wgsl?raw';
import fwdCode from '../../shaders/gelu_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const SIZES = uniformLayout([
  ['n', 'u32'],
  ['_p0', 'u32'],
  ['_p1', 'u32'],
  ['_p2', 'u32'],
]);
const FWD = {
  label: 'gelu_forward',
  code: fwdCode,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
const BWD = {
  label: 'gelu_backward',
  code: bwdCode,
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
