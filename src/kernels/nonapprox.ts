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
/** The forward's: `len`, the rows it scans and writes (T but in incremental sampling). */
const FWD_SIZES = uniformLayout([...SIZES, ['len', 'u32'], ['_p0', 'u32'], ['_p1', 'u32'], ['_p2', 'u32']]);
const FWD = {
  label: 'nonapprox_forward',
  code: fwdCode,
  access: ['read', 'read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms: { Params: FWD_SIZES },
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

/** The forward's uniform, scanning rows 0..len-1 of each head's T. */
export function nonapproxForwardParams(a: Pick<NonapproxForwardArgs, 'B' | 'H' | 'T' | 'hd'>, len = a.T): ArrayBuffer {
  if (!Number.isInteger(len) || len < 1 || len > a.T)
    throw new Error(`nonapprox_forward: len ${len} outside 1..${a.T}`);
  return packUniform(FWD_SIZES, { BH: a.B * a.H, T: a.T, hd: a.hd, gridX: grid(a.B * a.H * a.hd)[0], len });
}

/**
 * out [B,H,T,hd] and stats [B,H,T,2] written from q (post-SiLU), k, v [B,H,T,hd]; `len` (default T): only
 * rows 0..len-1 are scanned and written. Returns its uniform (incremental sampling rewrites it to move len).
 */
export function nonapprox_forward(p: Program, a: NonapproxForwardArgs, len = a.T): GPUBuffer {
  const { out, stats, q, k, v, B, H, hd } = a;
  const [gx, gy] = grid(B * H * hd);
  const u = p.uniform(`${FWD.label} params`, nonapproxForwardParams(a, len));
  p.add(FWD, [q, k, v, out, stats, u], [gx, gy]);
  return u;
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
