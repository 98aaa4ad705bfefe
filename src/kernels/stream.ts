// stream_qk_forward / stream_qk_backward (shaders/stream_qk_*.wgsl): the batch
// rows of a combined [batch; stream] tensor take their queries and keys from
// the matching stream rows (rndembqk, fixedseqqk).

import bwdCode from '../../shaders/stream_qk_backward.wgsl?raw';
import fwdCode from '../../shaders/stream_qk_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const SIZES = uniformLayout([
  ['n', 'u32'],
  ['half', 'u32'],
  ['_p0', 'u32'],
  ['_p1', 'u32'],
]);
const uniforms = { Params: SIZES };
const FWD = { label: 'stream_qk_forward', code: fwdCode, access: ['read', 'write', 'uniform'] as const, uniforms };
const BWD = { label: 'stream_qk_backward', code: bwdCode, access: ['read', 'write', 'uniform'] as const, uniforms };
export const KERNELS: readonly KernelSpec[] = [FWD, BWD];

/** out [2B, rest] from x [2B, rest]; `half` = B * rest. */
export function stream_qk_forward(p: Program, out: BindingLike, x: BindingLike, half: number): void {
  p.add(FWD, [x, out, p.uniform('stream_qk params', packUniform(SIZES, { n: 2 * half, half }))], elementGrid(2 * half));
}

/** dx [2B, rest] written from dout [2B, rest]. */
export function stream_qk_backward(p: Program, dx: BindingLike, dout: BindingLike, half: number): void {
  p.add(
    BWD,
    [dout, dx, p.uniform('stream_qk params', packUniform(SIZES, { n: 2 * half, half }))],
    elementGrid(2 * half),
  );
}
