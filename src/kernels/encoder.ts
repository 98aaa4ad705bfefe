// Token embedding on the GPU (shaders/encoder_forward.wgsl, shaders/encoder_backward.wgsl).
// No positional table: positions come from RoPE / ALiBi / nothing.
import bwdCode from '../../shaders/encoder_backward.wgsl?raw';
import fwdCode from '../../shaders/encoder_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, elementGrid, grid1d, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const FWD = {
  label: 'encoder_forward',
  code: fwdCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['C', 'u32'],
      ['_p0', 'u32'],
      ['_p1', 'u32'],
    ]),
  },
};
const BWD = {
  label: 'encoder_backward',
  code: bwdCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['N', 'u32'],
      ['C', 'u32'],
      ['V', 'u32'],
      ['slices', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [FWD, BWD];
const BWD_SLICE = 64; // columns per thread in encoder_backward.wgsl
const BWD_WG = 64; // threads per workgroup in encoder_backward.wgsl

/** out[N, C] = wte[tokens[n], :]; tokens u32 [N], wte [V, C]. */
export function encoder_forward(
  p: Program,
  out: BindingLike,
  tokens: BindingLike,
  wte: BindingLike,
  N: number,
  C: number,
): void {
  const u = p.uniform('encoder_forward params', packUniform(FWD.uniforms.Params, { N, C }));
  p.add(FWD, [tokens, wte, out, u], elementGrid(N * C));
}

/**
 * dwte[V, C] += scatter of dout[N, C] by token id (accumulated). Deterministic:
 * one owner thread per (v, slice of 64 columns), adding in increasing n; cost
 * ~ V * ceil(C / 64) * N token comparisons plus the N * C adds.
 */
export function encoder_backward(
  p: Program,
  dwte: BindingLike,
  dout: BindingLike,
  tokens: BindingLike,
  N: number,
  C: number,
  V: number,
): void {
  const slices = ceilDiv(C, BWD_SLICE);
  const u = p.uniform('encoder_backward params', packUniform(BWD.uniforms.Params, { N, C, V, slices }));
  p.add(BWD, [dout, tokens, dwte, u], grid1d(ceilDiv(V * slices, BWD_WG)));
}
