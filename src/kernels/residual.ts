// residual_forward / add_inplace on the GPU (shaders/residual_forward.wgsl, shaders/add_inplace.wgsl).
// Also home of `grid1d`, the x/y spreading used by this file's sibling
// element-wise and one-workgroup-per-row kernels.
import addCode from '../../shaders/add_inplace.wgsl?raw';
import fwdCode from '../../shaders/residual_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, packUniform, type Program } from '../gpu/program';

const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Spreads `count` workgroups over x and y so that no dimension exceeds 65535.
 * Shaders rebuild the flat index as `wg.y * num_workgroups.x + wg.x` and skip
 * indices >= count (the grid may hold up to one row of extra workgroups).
 */
export function grid1d(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [count, 1];
  const y = ceilDiv(count, MAX_WORKGROUPS_PER_DIM);
  return [ceilDiv(count, y), y];
}

/** Workgroup grid for one thread per element of `n`, 256 threads per workgroup. */
export const elementGrid = (n: number): [number, number] => grid1d(ceilDiv(n, 256));

const FWD = { label: 'residual_forward', code: fwdCode, access: ['read', 'read', 'write', 'uniform'] as const };
const ADD = { label: 'add_inplace', code: addCode, access: ['read', 'write', 'uniform'] as const };

/** out[n] = a + b */
export function residual_forward(p: Program, out: BindingLike, a: BindingLike, b: BindingLike, n: number): void {
  const u = p.uniform('residual_forward params', packUniform([['u32', n]]));
  p.add(FWD, [a, b, out, u], elementGrid(n));
}

/** dst[n] += src */
export function add_inplace(p: Program, dst: BindingLike, src: BindingLike, n: number): void {
  const u = p.uniform('add_inplace params', packUniform([['u32', n]]));
  p.add(ADD, [src, dst, u], elementGrid(n));
}
