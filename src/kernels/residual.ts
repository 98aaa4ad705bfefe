// residual_forward / add_inplace on the GPU (shaders/residual_forward.wgsl, shaders/add_inplace.wgsl).
import addCode from '../../shaders/add_inplace.wgsl?raw';
import fwdCode from '../../shaders/residual_forward.wgsl?raw';
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
  label: 'residual_forward',
  code: fwdCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
const ADD = {
  label: 'add_inplace',
  code: addCode,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: FWD.uniforms,
};
export const KERNELS: readonly KernelSpec[] = [FWD, ADD];

/** out[n] = a + b */
export function residual_forward(p: Program, out: BindingLike, a: BindingLike, b: BindingLike, n: number): void {
  const u = p.uniform('residual_forward params', packUniform(SIZES, { n }));
  p.add(FWD, [a, b, out, u], elementGrid(n));
}

/** dst[n] += src */
export function add_inplace(p: Program, dst: BindingLike, src: BindingLike, n: number): void {
  const u = p.uniform('add_inplace params', packUniform(SIZES, { n }));
  p.add(ADD, [src, dst, u], elementGrid(n));
}
