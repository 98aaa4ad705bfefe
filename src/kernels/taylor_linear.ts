// taylor_linear_forward on the GPU (shaders/taylor_linear_forward.wgsl): the
// linear-time causal form of `taylor` attention, for evaluation at lengths
// where the T x T weights do not fit. Forward only; math and the feature map
// in src/reference/taylor_linear.ts. q and k arrive after RoPE.
import code from '../../shaders/taylor_linear_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';
import type { AttentionShape } from './attention_constants';

const SPEC = {
  label: 'taylor_linear_forward',
  code,
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['BH', 'u32'],
      ['T', 'u32'],
      ['hd', 'u32'],
      ['gridX', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [SPEC];

/** Largest head width the kernel's private state is sized for (1 + 16 + 136 symmetric features). */
export const TAYLOR_LINEAR_MAX_HD = 16;

export interface TaylorLinearArgs extends AttentionShape {
  /** [B,H,T,hd], written. */
  out: BindingLike;
  /** [B,H,T,hd] each; q and k after RoPE. */
  q: BindingLike;
  k: BindingLike;
  v: BindingLike;
  /** Must be false (default): ALiBi's bias does not factor through the feature map. */
  alibi?: boolean;
}

/** out [B,H,T,hd] = taylor attention of q, k, v [B,H,T,hd] (written). `alibi` must be false. */
export function taylor_linear_forward(p: Program, a: TaylorLinearArgs): void {
  const { out, q, k, v, B, H, T, hd } = a;
  if (a.alibi)
    throw new Error(
      'taylor_linear_forward: ALiBi is not supported (its bias does not factor through the feature map); ' +
        'use the quadratic taylor kernel',
    );
  if (hd < 1 || hd > TAYLOR_LINEAR_MAX_HD)
    throw new Error(`taylor_linear_forward: head width ${hd} outside 1..${TAYLOR_LINEAR_MAX_HD}`);
  const groups = Math.max(1, ceilDiv(B * H * ceilDiv(hd, 4), 64)); // one thread per (head, 4 output channels)
  const gx = Math.min(groups, 65535);
  const u = p.uniform(`${SPEC.label} params`, packUniform(SPEC.uniforms.Params, { BH: B * H, T, hd, gridX: gx }));
  p.add(SPEC, [q, k, v, out, u], [gx, ceilDiv(groups, gx)]);
}
