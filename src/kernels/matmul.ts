// matmul_forward / matmul_backward on the GPU (shaders/matmul.wgsl).
// Weights are stored [OC, IC] (row per output channel), as in llm.c; no bias.
import code from '../../shaders/matmul.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, packUniform, type Program } from '../gpu/program';

const SPEC = { label: 'matmul', code, access: ['read', 'read', 'write', 'uniform'] as const };
const TILE = 64;

export interface GemmArgs {
  a: BindingLike;
  b: BindingLike;
  c: BindingLike;
  M: number;
  N: number;
  K: number;
  /** Strides of the logical A [M, K] and B [K, N]. */
  sAm: number;
  sAk: number;
  sBk: number;
  sBn: number;
  accumulate?: boolean;
  alpha?: number;
  batch?: number;
  batchA?: number;
  batchB?: number;
  batchC?: number;
}

/** C (+)= alpha * A . B with arbitrary strides (see the shader header). */
export function gemm(p: Program, g: GemmArgs): void {
  const u = p.uniform(
    'matmul params',
    packUniform([
      ['u32', g.M], ['u32', g.N], ['u32', g.K], ['u32', g.accumulate ? 1 : 0],
      ['u32', g.sAm], ['u32', g.sAk], ['u32', g.sBk], ['u32', g.sBn],
      ['u32', g.batchA ?? 0], ['u32', g.batchB ?? 0], ['u32', g.batchC ?? 0], ['f32', g.alpha ?? 1],
    ]),
  );
  p.add(SPEC, [g.a, g.b, g.c, u], [ceilDiv(g.N, TILE), ceilDiv(g.M, TILE), g.batch ?? 1]);
}

/** out[N, OC] = inp[N, IC] . weight[OC, IC]^T */
export function matmul_forward(p: Program, out: BindingLike, inp: BindingLike, weight: BindingLike, N: number, IC: number, OC: number): void {
  gemm(p, { a: inp, b: weight, c: out, M: N, N: OC, K: IC, sAm: IC, sAk: 1, sBk: 1, sBn: IC });
}

/** dinp[N, IC] = dout . weight (written); dweight[OC, IC] += dout^T . inp (accumulated). */
export function matmul_backward(
  p: Program,
  dinp: BindingLike | null,
  dweight: BindingLike,
  dout: BindingLike,
  inp: BindingLike,
  weight: BindingLike,
  N: number,
  IC: number,
  OC: number,
): void {
  if (dinp) gemm(p, { a: dout, b: weight, c: dinp, M: N, N: IC, K: OC, sAm: OC, sAk: 1, sBk: IC, sBn: 1 });
  gemm(p, { a: dout, b: inp, c: dweight, M: OC, N: IC, K: N, sAm: 1, sAk: OC, sBk: IC, sBn: 1, accumulate: true });
}
