// Head split / merge permutations on the GPU (shaders/qkv_split_*.wgsl,
// shaders/heads_merge_*.wgsl). C = H * hd; outputs are written, not accumulated.

import mergeBwd from '../../shaders/heads_merge_backward.wgsl?raw';
import mergeFwd from '../../shaders/heads_merge_forward.wgsl?raw';
import splitBwd from '../../shaders/qkv_split_backward.wgsl?raw';
import splitFwd from '../../shaders/qkv_split_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const SIZES = uniformLayout([
  ['B', 'u32'],
  ['T', 'u32'],
  ['H', 'u32'],
  ['hd', 'u32'],
]);
const uniforms = { Params: SIZES };
const SPLIT_FWD = {
  label: 'qkv_split_forward',
  code: splitFwd,
  access: ['read', 'write', 'write', 'write', 'uniform'] as const,
  uniforms,
};
const SPLIT_BWD = {
  label: 'qkv_split_backward',
  code: splitBwd,
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms,
};
const MERGE_FWD = {
  label: 'heads_merge_forward',
  code: mergeFwd,
  access: ['read', 'write', 'uniform'] as const,
  uniforms,
};
const MERGE_BWD = {
  label: 'heads_merge_backward',
  code: mergeBwd,
  access: ['read', 'write', 'uniform'] as const,
  uniforms,
};
export const KERNELS: readonly KernelSpec[] = [SPLIT_FWD, SPLIT_BWD, MERGE_FWD, MERGE_BWD];

/** Sizes of a head split: batch, tokens, heads, head width (C = H * hd). */
export interface HeadShape {
  B: number;
  T: number;
  H: number;
  hd: number;
}

export interface QkvSplitForwardArgs extends HeadShape {
  /** [B,H,T,hd] each, written. */
  q: BindingLike;
  k: BindingLike;
  v: BindingLike;
  /** [B,T,3C]. */
  qkv: BindingLike;
}

export interface QkvSplitBackwardArgs extends HeadShape {
  /** [B,T,3C], written. */
  dqkv: BindingLike;
  /** [B,H,T,hd] each. */
  dq: BindingLike;
  dk: BindingLike;
  dv: BindingLike;
}

const sizes = (p: Program, label: string, { B, T, H, hd }: HeadShape) =>
  p.uniform(label, packUniform(SIZES, { B, T, H, hd }));

/** qkv [B,T,3C] ([q | k | v] per token, head h at columns h*hd..) -> q, k, v [B,H,T,hd]. */
export function qkv_split_forward(p: Program, a: QkvSplitForwardArgs): void {
  const u = sizes(p, 'qkv_split sizes', a);
  p.add(SPLIT_FWD, [a.qkv, a.q, a.k, a.v, u], elementGrid(a.B * a.H * a.T * a.hd));
}

/** dqkv [B,T,3C] written from dq, dk, dv [B,H,T,hd]. */
export function qkv_split_backward(p: Program, a: QkvSplitBackwardArgs): void {
  const u = sizes(p, 'qkv_split sizes', a);
  p.add(SPLIT_BWD, [a.dq, a.dk, a.dv, a.dqkv, u], elementGrid(a.B * a.H * a.T * a.hd));
}

/** y [B,H,T,hd] -> out [B,T,C]. */
export function heads_merge_forward(
  p: Program,
  out: BindingLike,
  y: BindingLike,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const u = sizes(p, 'heads_merge sizes', { B, T, H, hd });
  p.add(MERGE_FWD, [y, out, u], elementGrid(B * T * H * hd));
}

/** dy [B,H,T,hd] written from dout [B,T,C]. */
export function heads_merge_backward(
  p: Program,
  dy: BindingLike,
  dout: BindingLike,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const u = sizes(p, 'heads_merge sizes', { B, T, H, hd });
  p.add(MERGE_BWD, [dout, dy, u], elementGrid(B * H * T * hd));
}
