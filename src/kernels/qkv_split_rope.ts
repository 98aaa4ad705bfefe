// The qkv split with RoPE applied on the way (shaders/qkv_split_rope_*.wgsl):
// one dispatch each way instead of three (qkv_split and rope on q and on k).
// Used where a layer's own projection feeds RoPE; the same products in the
// same order as the separate kernels, so the same bits.

import bwdCode from '../../shaders/qkv_split_rope_backward.wgsl?raw';
import commonCode from '../../shaders/qkv_split_rope_common.wgsl?raw';
import fwdCode from '../../shaders/qkv_split_rope_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';
import type { HeadShape } from './heads';

const SIZES = uniformLayout([
  ['B', 'u32'],
  ['T', 'u32'],
  ['H', 'u32'],
  ['hd', 'u32'],
]);
const FWD = {
  label: 'qkv_split_rope_forward',
  code: `${commonCode}\n${fwdCode}`,
  access: ['read', 'read', 'write', 'write', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
const BWD = {
  label: 'qkv_split_rope_backward',
  code: `${commonCode}\n${bwdCode}`,
  access: ['read', 'read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: SIZES },
};
export const KERNELS: readonly KernelSpec[] = [FWD, BWD];

export interface QkvSplitRopeForwardArgs extends HeadShape {
  /** [B,H,T,hd] each, written: q and k rotated, v as split. */
  q: BindingLike;
  k: BindingLike;
  v: BindingLike;
  /** [B,T,3C]. */
  qkv: BindingLike;
  /** The [T, hd/2, 2] (cos, sin) table of src/kernels/rope.ts (ropeTableData, same T and hd). */
  table: BindingLike;
}

export interface QkvSplitRopeBackwardArgs extends HeadShape {
  /** [B,T,3C], written. */
  dqkv: BindingLike;
  /** [B,H,T,hd] each: gradients at the rotated q and k, and at v. */
  dq: BindingLike;
  dk: BindingLike;
  dv: BindingLike;
  table: BindingLike;
}

function grid(p: Program, label: string, a: HeadShape) {
  if (a.hd % 2 !== 0 || a.hd <= 0) throw new Error(`${label}: head width ${a.hd} must be even and positive`);
  const u = p.uniform(`${label} sizes`, packUniform(SIZES, { B: a.B, T: a.T, H: a.H, hd: a.hd }));
  return { u, dims: elementGrid((a.B * a.H * a.T * a.hd) / 2) };
}

/** qkv [B,T,3C] -> rope(q), rope(k), v [B,H,T,hd]. */
export function qkv_split_rope_forward(p: Program, a: QkvSplitRopeForwardArgs): void {
  const { u, dims } = grid(p, FWD.label, a);
  p.add(FWD, [a.qkv, a.table, a.q, a.k, a.v, u], dims);
}

/** dqkv [B,T,3C] written from dq, dk (rotated back) and dv [B,H,T,hd]. */
export function qkv_split_rope_backward(p: Program, a: QkvSplitRopeBackwardArgs): void {
  const { u, dims } = grid(p, BWD.label, a);
  p.add(BWD, [a.dq, a.dk, a.dv, a.table, a.dqkv, u], dims);
}
