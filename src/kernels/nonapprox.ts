// nonapprox_forward / nonapprox_backward on the GPU: Deconstructing's
// "Non-approximate" mixer, a causal running weighted mean with one score per
// position (s_j = q_j . k_j / sqrt(hd), q already through SiLU). Linear time in
// T both ways; the backward's reverse scan is derived in src/reference/nonapprox.ts.
// stats [B, H, T, 2] = (running max M_i, denominator Z_i = sum_{j<=i} exp(s_j - M_i)).

import scanCode from '../../shaders/nonapprox_backward.wgsl?raw';
import qkCode from '../../shaders/nonapprox_backward_qk.wgsl?raw';
import fwdCode from '../../shaders/nonapprox_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';
import type { AttentionShape } from './attention_constants';

const SIZES = uniformLayout([
  ['BH', 'u32'],
  ['T', 'u32'],
  ['hd', 'u32'],
  ['gridX', 'u32'],
]);
const uniforms = { Params: SIZES };
const FWD = {
  label: 'nonapprox_forward',
  code: fwdCode,
  access: ['read', 'read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms,
};
const SCAN = {
  label: 'nonapprox_backward',
  code: scanCode,
  access: ['read', 'read', 'read', 'read', 'read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms,
};
const QK = {
  label: 'nonapprox_backward_qk',
  code: qkCode,
  access: ['read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms,
};
export const KERNELS: readonly KernelSpec[] = [FWD, SCAN, QK];
const WG = 64;

/** 1-D dispatch of `threads` in 64-wide workgroups, spread over x and y. */
function grid(threads: number): [number, number] {
  const groups = ceilDiv(threads, WG);
  const gx = Math.max(1, Math.min(groups, 65535));
  return [gx, ceilDiv(groups, gx)];
}

function params(p: Program, label: string, BH: number, T: number, hd: number, gridX: number): GPUBuffer {
  return p.uniform(`${label} params`, packUniform(SIZES, { BH, T, hd, gridX }));
}

export interface NonapproxForwardArgs extends AttentionShape {
  /** [B,H,T,hd], written. */
  out: BindingLike;
  /** [B,H,T,2], written. */
  stats: BindingLike;
  /** [B,H,T,hd] each; q after SiLU. */
  q: BindingLike;
  k: BindingLike;
  v: BindingLike;
}

export interface NonapproxBackwardArgs extends AttentionShape {
  /** [B,H,T,hd] each, written. */
  dq: BindingLike;
  dk: BindingLike;
  dv: BindingLike;
  /** The gradient of `out`, and the forward's inputs and outputs. */
  dout: BindingLike;
  out: BindingLike;
  stats: BindingLike;
  q: BindingLike;
  k: BindingLike;
  v: BindingLike;
}

/** out [B,H,T,hd] and stats [B,H,T,2] written from q (post-SiLU), k, v [B,H,T,hd]. */
export function nonapprox_forward(p: Program, a: NonapproxForwardArgs): void {
  const { out, stats, q, k, v, B, H, T, hd } = a;
  const [gx, gy] = grid(B * H * hd);
  p.add(FWD, [q, k, v, out, stats, params(p, FWD.label, B * H, T, hd, gx)], [gx, gy]);
}

/**
 * dq, dk, dv [B,H,T,hd] written. Two dispatches: a reverse scan per (bh, channel)
 * that writes dv and per-channel parts of ds into dq, then a pass per (bh, t)
 * that sums them and writes dq and dk.
 */
export function nonapprox_backward(p: Program, a: NonapproxBackwardArgs): void {
  const { dq, dk, dv, dout, out, stats, q, k, v, B, H, T, hd } = a;
  const [sx, sy] = grid(B * H * hd);
  p.add(SCAN, [dout, out, stats, q, k, v, dv, dq, params(p, SCAN.label, B * H, T, hd, sx)], [sx, sy]);
  const [rx, ry] = grid(B * H * T);
  p.add(QK, [q, k, dq, dk, params(p, QK.label, B * H, T, hd, rx)], [rx, ry]);
}
