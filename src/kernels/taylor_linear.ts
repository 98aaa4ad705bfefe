// taylor_linear_forward on the GPU (shaders/taylor_linear_forward.wgsl): the
// linear-time causal form of `taylor` attention, for evaluation at lengths
// where the T x T weights do not fit. Forward only; math and the feature map
// in src/reference/taylor_linear.ts. q and k arrive after RoPE.
import code from '../../shaders/taylor_linear_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type Program, packUniform } from '../gpu/program';

const SPEC = { label: 'taylor_linear_forward', code, access: ['read', 'read', 'read', 'write', 'uniform'] as const };

/** Largest head width the kernel's private state is sized for (1 + 16 + 136 symmetric features). */
export const TAYLOR_LINEAR_MAX_HD = 16;

/** out [B,H,T,hd] = taylor attention of q, k, v [B,H,T,hd] (written). `alibi` must be false. */
export function taylor_linear_forward(
  p: Program,
  out: BindingLike,
  q: BindingLike,
  k: BindingLike,
  v: BindingLike,
  B: number,
  H: number,
  T: number,
  hd: number,
  alibi = false,
): void {
  if (alibi)
    throw new Error(
      'taylor_linear_forward: ALiBi is not supported (its bias does not factor through the feature map); use the quadratic taylor kernel',
    );
  if (hd < 1 || hd > TAYLOR_LINEAR_MAX_HD)
    throw new Error(`taylor_linear_forward: head width ${hd} outside 1..${TAYLOR_LINEAR_MAX_HD}`);
  const groups = Math.max(1, ceilDiv(B * H * ceilDiv(hd, 4), 64)); // one thread per (head, 4 output channels)
  const gx = Math.min(groups, 65535);
  const u = p.uniform(
    `${SPEC.label} params`,
    packUniform([
      ['u32', B * H],
      ['u32', T],
      ['u32', hd],
      ['u32', gx],
    ]),
  );
  p.add(SPEC, [q, k, v, out, u], [gx, ceilDiv(groups, gx)]);
}
