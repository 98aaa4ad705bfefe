// SiLU and the SwiGLU gate on the GPU (shaders/silu_*.wgsl, shaders/swiglu_*.wgsl).
import siluBwdCode from '../../shaders/silu_backward.wgsl?raw';
import siluFwdCode from '../../shaders/silu_forward.wgsl?raw';
import swigluBwdCode from '../../shaders/swiglu_backward.wgsl?raw';
import swigluFwdCode from '../../shaders/swiglu_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const SIZES = uniformLayout([
  ['n', 'u32'],
  ['_p0', 'u32'],
  ['_p1', 'u32'],
  ['_p2', 'u32'],
]);
const uniforms = { Params: SIZES };
const SILU_FWD = { label: 'silu_forward', code: siluFwdCode, access: ['read', 'write', 'uniform'] as const, uniforms };
const SILU_BWD = {
  label: 'silu_backward',
  code: siluBwdCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms,
};
const SWIGLU_FWD = {
  label: 'swiglu_forward',
  code: swigluFwdCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms,
};
const SWIGLU_BWD = {
  label: 'swiglu_backward',
  code: swigluBwdCode,
  access: ['read', 'read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms,
};
export const KERNELS: readonly KernelSpec[] = [SILU_FWD, SILU_BWD, SWIGLU_FWD, SWIGLU_BWD];

const sizes = (p: Program, label: string, n: number): GPUBuffer =>
  p.uniform(`${label} params`, packUniform(SIZES, { n }));

/** out[n] = inp * sigmoid(inp) */
export function silu_forward(p: Program, out: BindingLike, inp: BindingLike, n: number): void {
  p.add(SILU_FWD, [inp, out, sizes(p, 'silu_forward', n)], elementGrid(n));
}

/** dinp[n] = dout * silu'(inp) (written). */
export function silu_backward(p: Program, dinp: BindingLike, inp: BindingLike, dout: BindingLike, n: number): void {
  p.add(SILU_BWD, [inp, dout, dinp, sizes(p, 'silu_backward', n)], elementGrid(n));
}

/** out[n] = silu(gate) * up */
export function swiglu_forward(p: Program, out: BindingLike, gate: BindingLike, up: BindingLike, n: number): void {
  p.add(SWIGLU_FWD, [gate, up, out, sizes(p, 'swiglu_forward', n)], elementGrid(n));
}

/** dgate[n] = dout * up * silu'(gate), dup[n] = dout * silu(gate) (both written). */
export function swiglu_backward(
  p: Program,
  dgate: BindingLike,
  dup: BindingLike,
  gate: BindingLike,
  up: BindingLike,
  dout: BindingLike,
  n: number,
): void {
  p.add(SWIGLU_BWD, [gate, up, dout, dgate, dup, sizes(p, 'swiglu_backward', n)], elementGrid(n));
}
