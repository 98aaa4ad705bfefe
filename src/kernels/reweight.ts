// reweight_forward / reweight_backward on the GPU (shaders/reweight_*.wgsl):
// the Softplus paper's re-weighting stage, applied to row-normalised causal
// attention weights [BH, T, T]. Math, the m == 0 rule and the relu subgradient
// convention are documented in src/reference/reweight.ts.

import bwdCode from '../../shaders/reweight_backward.wgsl?raw';
import fwdCode from '../../shaders/reweight_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const SIZES = uniformLayout([
  ['BH', 'u32'],
  ['T', 'u32'],
  ['gridX', 'u32'],
  ['p', 'f32'],
]);
const FWD = {
  label: 'reweight_forward',
  code: fwdCode,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
const BWD = {
  label: 'reweight_backward',
  code: bwdCode,
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
export const KERNELS: readonly KernelSpec[] = [FWD, BWD];

/** Default exponent of the spec (p = 15). */
export const REWEIGHT_P = 15;

/** One thread per row in workgroups of 64, spread over x and y (x at most 65535). */
function rowGrid(rows: number): [number, number] {
  const groups = Math.max(1, ceilDiv(rows, 64));
  const gridX = Math.min(groups, 65535);
  return [gridX, ceilDiv(groups, gridX)];
}

function params(p: Program, label: string, BH: number, T: number, gridX: number, pExp: number): GPUBuffer {
  if (!(pExp >= 1) || !Number.isFinite(pExp))
    throw new Error(`${label}: exponent p must be a finite number >= 1 (got ${pExp})`);
  return p.uniform(`${label} params`, packUniform(SIZES, { BH, T, gridX, p: pExp }));
}

/** out [BH, T, T] = re-weighted att [BH, T, T] (written, j > i zeroed). */
export function reweight_forward(
  p: Program,
  out: BindingLike,
  att: BindingLike,
  BH: number,
  T: number,
  pExp: number = REWEIGHT_P,
): void {
  const [gx, gy] = rowGrid(BH * T);
  p.add(FWD, [att, out, params(p, FWD.label, BH, T, gx, pExp)], [gx, gy]);
}

/** datt [BH, T, T] = dL/d(att) (written) from dout = dL/d(out); `out` is the forward's result. */
export function reweight_backward(
  p: Program,
  datt: BindingLike,
  dout: BindingLike,
  att: BindingLike,
  out: BindingLike,
  BH: number,
  T: number,
  pExp: number = REWEIGHT_P,
): void {
  const [gx, gy] = rowGrid(BH * T);
  p.add(BWD, [dout, att, out, datt, params(p, BWD.label, BH, T, gx, pExp)], [gx, gy]);
}
