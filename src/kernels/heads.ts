// Head split / merge permutations on the GPU (shaders/qkv_split_*.wgsl,
// shaders/heads_merge_*.wgsl). C = H * hd; outputs are written, not accumulated.

import mergeBwd from '../../shaders/heads_merge_backward.wgsl?raw';
import mergeFwd from '../../shaders/heads_merge_forward.wgsl?raw';
import splitBwd from '../../shaders/qkv_split_backward.wgsl?raw';
import splitFwd from '../../shaders/qkv_split_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type Program, packUniform } from '../gpu/program';

const SPLIT_FWD = {
  label: 'qkv_split_forward',
  code: splitFwd,
  access: ['read', 'write', 'write', 'write', 'uniform'] as const,
};
const SPLIT_BWD = {
  label: 'qkv_split_backward',
  code: splitBwd,
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
};
const MERGE_FWD = { label: 'heads_merge_forward', code: mergeFwd, access: ['read', 'write', 'uniform'] as const };
const MERGE_BWD = { label: 'heads_merge_backward', code: mergeBwd, access: ['read', 'write', 'uniform'] as const };

const sizes = (B: number, T: number, H: number, hd: number) =>
  packUniform([
    ['u32', B],
    ['u32', T],
    ['u32', H],
    ['u32', hd],
  ]);

/** qkv [B,T,3C] ([q | k | v] per token, head h at columns h*hd..) -> q, k, v [B,H,T,hd]. */
export function qkv_split_forward(
  p: Program,
  q: BindingLike,
  k: BindingLike,
  v: BindingLike,
  qkv: BindingLike,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const u = p.uniform('qkv_split sizes', sizes(B, T, H, hd));
  p.add(SPLIT_FWD, [qkv, q, k, v, u], elementGrid(B * H * T * hd));
}

/** dqkv [B,T,3C] written from dq, dk, dv [B,H,T,hd]. */
export function qkv_split_backward(
  p: Program,
  dqkv: BindingLike,
  dq: BindingLike,
  dk: BindingLike,
  dv: BindingLike,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const u = p.uniform('qkv_split sizes', sizes(B, T, H, hd));
  p.add(SPLIT_BWD, [dq, dk, dv, dqkv, u], elementGrid(B * H * T * hd));
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
  const u = p.uniform('heads_merge sizes', sizes(B, T, H, hd));
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
  const u = p.uniform('heads_merge sizes', sizes(B, T, H, hd));
  p.add(MERGE_BWD, [dout, dy, u], elementGrid(B * H * T * hd));
}
