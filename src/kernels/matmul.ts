// matmul_forward / matmul_backward on the GPU. Weights are stored [OC, IC]
// (row per output channel), as in llm.c; no bias.
//
// gemm picks one of two register-blocked kernels without workgroup memory
// (fastest on CPU adapters such as SwiftShader, where each storage load is a
// per-lane gather and each barrier a context switch; bench/matmul.ts):
//   - shaders/matmul_vec4.wgsl: B and C as vec4 (needs row-major B and C with
//     every row start a multiple of 4 floats),
//   - shaders/matmul.wgsl: any strides (scalar loads and stores).
// A long K with few output tiles (the weight gradient dY^T.X, K = B*T) is split
// into S slices written to a scratch buffer and summed in a fixed order
// (shaders/matmul_splitk_reduce.wgsl), so more workgroups run in parallel and
// results stay deterministic.
import codeScalar from '../../shaders/matmul.wgsl?raw';
import codeNt from '../../shaders/matmul_nt.wgsl?raw';
import codeNtGelu from '../../shaders/matmul_nt_gelu.wgsl?raw';
import codeReduce from '../../shaders/matmul_splitk_reduce.wgsl?raw';
import codeTranspose from '../../shaders/matmul_transpose.wgsl?raw';
import codeVec4 from '../../shaders/matmul_vec4.wgsl?raw';
import codeVec4Dgelu from '../../shaders/matmul_vec4_dgelu.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';
import { GELU_COMMON, gelu_backward, gelu_forward } from './gelu';

const ACCESS = ['read', 'read', 'write', 'uniform'] as const;
const GEMM_PARAMS = uniformLayout([
  ['M', 'u32'],
  ['N', 'u32'],
  ['K', 'u32'],
  ['accumulate', 'u32'],
  ['sAm', 'u32'],
  ['sAk', 'u32'],
  ['sBk', 'u32'],
  ['sBn', 'u32'],
  ['batchA', 'u32'],
  ['batchB', 'u32'],
  ['batchC', 'u32'],
  ['alpha', 'f32'],
]);
const GEMM = {
  scalar: { label: 'matmul_scalar', code: codeScalar, access: ACCESS, uniforms: { Params: GEMM_PARAMS } },
  vec4: { label: 'matmul_vec4', code: codeVec4, access: ACCESS, uniforms: { Params: GEMM_PARAMS } },
};
// The fused forms (shaders/matmul_nt*.wgsl, matmul_vec4_dgelu.wgsl): A . W^T without a
// transposed copy of W, with GELU in its store, and dY . W with GELU's backward in its store.
const NT = { label: 'matmul_nt', code: codeNt, access: ACCESS, uniforms: { Params: GEMM_PARAMS } };
const NT_GELU = {
  label: 'matmul_nt_gelu',
  code: GELU_COMMON + codeNtGelu,
  access: [...ACCESS, 'write'] as const,
  uniforms: { Params: GEMM_PARAMS },
};
const VEC4_DGELU = {
  label: 'matmul_vec4_dgelu',
  code: GELU_COMMON + codeVec4Dgelu,
  access: [...ACCESS, 'read'] as const,
  uniforms: { Params: GEMM_PARAMS },
};
const REDUCE = {
  label: 'matmul_splitk_reduce',
  code: codeReduce,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['MN', 'u32'],
      ['S', 'u32'],
      ['accumulate', 'u32'],
      ['alpha', 'f32'],
    ]),
  },
};
const TRANSPOSE = {
  label: 'matmul_transpose',
  code: codeTranspose,
  access: ['read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['R', 'u32'],
      ['C', 'u32'],
      ['_p0', 'u32'],
      ['_p1', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [GEMM.scalar, GEMM.vec4, REDUCE, TRANSPOSE, NT, NT_GELU, VEC4_DGELU];
/** Rows x columns of C per invocation in both kernels (their register tile). */
const RM = 16;
const RN = 8;
/** Invocations per workgroup, x (columns) by y (rows). */
const WX = 4;
const WY = 4;
/**
 * Split K when it is at least this long and the output has fewer than SPLIT_TILES blocks of
 * SPLIT_BLOCK x SPLIT_BLOCK. The block is fixed rather than the workgroup's tile, so a change
 * of register tile (RM, RN) leaves every split, and so every result, bit for bit as it was.
 */
const SPLIT_MIN_K = 256;
const SPLIT_TILES = 4;
const SPLIT_BLOCK = 32;
const SPLIT_MIN_SLICE = 64;

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

/** How a gemm is run: which kernel, and into how many K slices it is split (1 = none). */
export interface GemmPlan {
  kernel: 'vec4' | 'scalar';
  splitK: number;
}

/** True when B and C can be read and written as vec4 (see shaders/matmul_vec4.wgsl). */
export function vec4Ok(g: GemmArgs): boolean {
  return g.sBn === 1 && g.N % 4 === 0 && g.sBk % 4 === 0 && (g.batchB ?? 0) % 4 === 0 && (g.batchC ?? 0) % 4 === 0;
}

/** The plan gemm uses for these arguments. */
export function planGemm(g: GemmArgs): GemmPlan {
  const kernel = vec4Ok(g) ? 'vec4' : 'scalar';
  const tiles = ceilDiv(g.M, SPLIT_BLOCK) * ceilDiv(g.N, SPLIT_BLOCK) * (g.batch ?? 1);
  let splitK = 1;
  if ((g.batch ?? 1) === 1 && g.K >= SPLIT_MIN_K) {
    while (tiles * splitK < SPLIT_TILES && g.K % (2 * splitK) === 0 && g.K / (2 * splitK) >= SPLIT_MIN_SLICE)
      splitK *= 2;
  }
  return { kernel, splitK };
}

/** C (+)= alpha * A . B with arbitrary strides (see the shader headers). */
export function gemm(p: Program, g: GemmArgs): void {
  gemmWith(p, g, planGemm(g));
}

/**
 * `gemm` with an explicit plan (tests and benchmarks). The vec4 kernel needs
 * `vec4Ok(g)`; split-K needs batch 1 and K divisible by `splitK`.
 */
export function gemmWith(p: Program, g: GemmArgs, plan: GemmPlan): void {
  if (plan.kernel === 'vec4' && !vec4Ok(g))
    throw new Error('gemm: vec4 kernel needs sBn = 1 and N, sBk, batchB, batchC multiples of 4');
  const S = plan.splitK;
  if (S === 1) {
    record(p, g, plan.kernel);
    return;
  }
  if ((g.batch ?? 1) !== 1 || g.K % S !== 0)
    throw new Error(`gemm: split-K ${S} needs batch 1 and K divisible by ${S}`);
  // The S slices are a batch: slice s reads k in [s*K/S, (s+1)*K/S) and writes part[s].
  const Ks = g.K / S;
  const MN = g.M * g.N;
  const part = p.scratch('matmul split-K partials', S * MN);
  record(
    p,
    { ...g, c: part, K: Ks, accumulate: false, alpha: 1, batch: S, batchA: Ks * g.sAk, batchB: Ks * g.sBk, batchC: MN },
    plan.kernel,
  );
  const u = p.uniform(
    'matmul reduce params',
    packUniform(REDUCE.uniforms.Params, { MN, S, accumulate: g.accumulate ? 1 : 0, alpha: g.alpha ?? 1 }),
  );
  p.add(REDUCE, [part, g.c, u], grid(MN));
}

function record(p: Program, g: GemmArgs, kernel: GemmPlan['kernel']): void {
  recordSpec(p, g, GEMM[kernel], []);
}

/** Records one gemm dispatch of `spec` (a GEMM_PARAMS kernel); `extra` bindings follow the uniform. */
function recordSpec(p: Program, g: GemmArgs, spec: KernelSpec, extra: readonly BindingLike[]): void {
  const u = p.uniform(
    'matmul params',
    packUniform(GEMM_PARAMS, {
      M: g.M,
      N: g.N,
      K: g.K,
      accumulate: g.accumulate ? 1 : 0,
      sAm: g.sAm,
      sAk: g.sAk,
      sBk: g.sBk,
      sBn: g.sBn,
      batchA: g.batchA ?? 0,
      batchB: g.batchB ?? 0,
      batchC: g.batchC ?? 0,
      alpha: g.alpha ?? 1,
    }),
  );
  p.add(
    { ...spec, constants: { WX, WY } },
    [g.a, g.b, g.c, u, ...extra],
    [ceilDiv(g.N, RN * WX), ceilDiv(g.M, RM * WY), g.batch ?? 1],
  );
}

/** Workgroups of 64 covering n elements, spread over x and y (65535 per dimension). */
function grid(n: number): [number, number] {
  const groups = ceilDiv(n, 64);
  return [Math.min(groups, 65535), ceilDiv(groups, 65535)];
}

/**
 * True when matmul_forward reads W in place (shaders/matmul_nt.wgsl: rows of inp
 * and W as vec4, C as vec4), with no transposed copy and so no scratch.
 */
export const ntOk = (IC: number, OC: number): boolean => IC % 4 === 0 && OC % 4 === 0;

/** The forward's gemm: out[N, OC] = inp[N, IC] . weight[OC, IC]^T, W read in place. */
const ntArgs = (out: BindingLike, inp: BindingLike, weight: BindingLike, N: number, IC: number, OC: number) => ({
  a: inp,
  b: weight,
  c: out,
  M: N,
  N: OC,
  K: IC,
  sAm: IC,
  sAk: 1,
  sBk: 1,
  sBn: IC,
});

/** out[N, OC] = inp[N, IC] . weight[OC, IC]^T */
export function matmul_forward(
  p: Program,
  out: BindingLike,
  inp: BindingLike,
  weight: BindingLike,
  N: number,
  IC: number,
  OC: number,
): void {
  if (ntOk(IC, OC)) recordSpec(p, ntArgs(out, inp, weight, N, IC, OC), NT, []);
  else if (OC % 4 === 0) {
    // W^T row-major [IC, OC] makes B vec4-readable; W is small next to inp.
    const wT = p.scratch('matmul W^T', IC * OC);
    const u = p.uniform('matmul transpose params', packUniform(TRANSPOSE.uniforms.Params, { R: OC, C: IC }));
    p.add(TRANSPOSE, [weight, wT, u], grid(IC * OC));
    gemm(p, { a: inp, b: wT, c: out, M: N, N: OC, K: IC, sAm: IC, sAk: 1, sBk: OC, sBn: 1 });
  } else {
    gemm(p, { a: inp, b: weight, c: out, M: N, N: OC, K: IC, sAm: IC, sAk: 1, sBk: 1, sBn: IC });
  }
}

/**
 * out = inp . weight^T as matmul_forward, and outGelu = gelu(out), in one
 * dispatch when ntOk(IC, OC) (else matmul_forward then gelu_forward).
 */
export function matmul_forward_gelu(
  p: Program,
  out: BindingLike,
  outGelu: BindingLike,
  inp: BindingLike,
  weight: BindingLike,
  N: number,
  IC: number,
  OC: number,
): void {
  if (ntOk(IC, OC)) {
    recordSpec(p, ntArgs(out, inp, weight, N, IC, OC), NT_GELU, [outGelu]);
    return;
  }
  matmul_forward(p, out, inp, weight, N, IC, OC);
  gelu_forward(p, outGelu, out, N * OC);
}

export interface MatmulBackwardArgs {
  /** [N, IC], written; null: not needed (the layer's input is not trained through). */
  dinp: BindingLike | null;
  /** [OC, IC], accumulated. */
  dweight: BindingLike;
  /** [N, OC], and the forward's inputs inp [N, IC], weight [OC, IC]. */
  dout: BindingLike;
  inp: BindingLike;
  weight: BindingLike;
  N: number;
  IC: number;
  OC: number;
}

/** dinp[N, IC] = dout . weight (written); dweight[OC, IC] += dout^T . inp (accumulated). */
export function matmul_backward(p: Program, a: MatmulBackwardArgs): void {
  const { dinp, dweight, dout, inp, weight, N, IC, OC } = a;
  if (dinp) gemm(p, { a: dout, b: weight, c: dinp, M: N, N: IC, K: OC, sAm: OC, sAk: 1, sBk: IC, sBn: 1 });
  gemm(p, { a: dout, b: inp, c: dweight, M: OC, N: IC, K: N, sAm: 1, sAk: OC, sBk: IC, sBn: 1, accumulate: true });
}

/**
 * matmul_backward of a layer whose input is gelu(pre): dpre[N, IC] = gelu'(pre) * (dout . weight)
 * (written) in the dinp gemm's store, and dweight[OC, IC] += dout^T . inp. The fused store
 * needs the vec4 kernel without split-K (IC a multiple of 4, which F = 4C always is); other
 * shapes run the gemm into `dinp` first and GELU's backward from there into `dpre`.
 */
export function matmul_backward_dgelu(p: Program, a: MatmulBackwardDgeluArgs): void {
  const { dinp, dpre, pre, dweight, dout, inp, weight, N, IC, OC } = a;
  const g: GemmArgs = { a: dout, b: weight, c: dpre, M: N, N: IC, K: OC, sAm: OC, sAk: 1, sBk: IC, sBn: 1 };
  if (vec4Ok(g)) recordSpec(p, g, VEC4_DGELU, [pre]);
  else {
    gemm(p, { ...g, c: dinp });
    gelu_backward(p, dpre, pre, dinp, N * IC);
  }
  matmul_backward(p, { dinp: null, dweight, dout, inp, weight, N, IC, OC });
}

export interface MatmulBackwardDgeluArgs extends Omit<MatmulBackwardArgs, 'dinp'> {
  /** [N, IC]: dout . weight, written only when the store cannot apply GELU's backward itself. */
  dinp: BindingLike;
  /** [N, IC], written: the gradient at GELU's input. */
  dpre: BindingLike;
  /** [N, IC]: GELU's input from the forward pass (inp = gelu(pre)). */
  pre: BindingLike;
}
