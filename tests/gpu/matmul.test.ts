import { describe, expect, test } from 'vitest';
import { Program } from '../../src/gpu/program';
import {
  type GemmArgs,
  type GemmPlan,
  gemm,
  gemmWith,
  matmul_backward,
  matmul_forward,
  planGemm,
  vec4Ok,
} from '../../src/kernels/matmul';
import * as ref from '../../src/reference/matmul';
import { assertClose } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';

// f32 accumulation over K terms of unit-scale products: error ~ sqrt(K) * 6e-8 * |terms|.
const TOL = { rtol: 1e-4, atol: 1e-4 };

describe('matmul kernel', () => {
  // Sizes straddle the 64x32 workgroup tile and 16x8 register tile (1, 63, 65, 130).
  // IC and OC multiples of 4 take the forward that reads W in place (matmul_nt),
  // OC % 4 == 0 alone the transpose + vec4 forward (33, 7, 12), IC % 4 == 0 the vec4
  // backward; the others the scalar kernel. N = 300 splits the weight gradient's K.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 5, 3],
    [65, 33, 17],
    [130, 64, 63],
    [64, 256, 64],
    [37, 12, 20],
    [33, 7, 12],
    [300, 6, 10],
  ];
  for (const [N, IC, OC] of shapes) {
    test(`forward and backward N=${N} IC=${IC} OC=${OC}`, async () => {
      const ctx = await gpu();
      const inp = randn(N * IC, 1);
      const w = randn(OC * IC, 2, 0.5);
      const dout = randn(N * OC, 3);
      const dw0 = randn(OC * IC, 4); // accumulate into non-zero gradients
      const bInp = ctx.upload('inp', inp);
      const bW = ctx.upload('w', w);
      const bDout = ctx.upload('dout', dout);
      const bOut = ctx.storage('out', N * OC);
      const bDinp = ctx.storage('dinp', N * IC);
      const bDw = ctx.upload('dw', dw0);
      const p = new Program(ctx);
      matmul_forward(p, bOut, bInp, bW, N, IC, OC);
      matmul_backward(p, { dinp: bDinp, dweight: bDw, dout: bDout, inp: bInp, weight: bW, N, IC, OC });
      await noGpuErrors(ctx, () => p.run());
      const out = new Float64Array(N * OC);
      ref.matmul_forward(out, inp, w, N, IC, OC);
      const dinp = new Float64Array(N * IC);
      const dw = Float64Array.from(dw0);
      ref.matmul_backward(dinp, dw, dout, inp, w, N, IC, OC);
      assertClose('out', await ctx.read(bOut), out, TOL);
      assertClose('dinp', await ctx.read(bDinp), dinp, TOL);
      assertClose('dweight', await ctx.read(bDw), dw, { rtol: 1e-4, atol: 1e-4 * Math.sqrt(N) });
      p.destroy();
      ctx.destroyAll([bInp, bW, bDout, bOut, bDinp, bDw]);
    });
  }

  test('batched gemm with alpha and offsets into a shared buffer', async () => {
    const ctx = await gpu();
    const B = 3,
      M = 9,
      N = 70,
      K = 5;
    const a = randn(B * M * K, 5);
    const b = randn(B * K * N, 6);
    const bA = ctx.upload('a', a);
    const bB = ctx.upload('b', b);
    const bC = ctx.storage('c', B * M * N);
    const p = new Program(ctx);
    gemm(p, {
      a: bA,
      b: bB,
      c: bC,
      M,
      N,
      K,
      sAm: K,
      sAk: 1,
      sBk: N,
      sBn: 1,
      alpha: 0.5,
      batch: B,
      batchA: M * K,
      batchB: K * N,
      batchC: M * N,
    });
    await noGpuErrors(ctx, () => p.run());
    const want = new Float64Array(B * M * N);
    for (let z = 0; z < B; z++)
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[z * M * K + m * K + k] * b[z * K * N + k * N + n];
          want[z * M * N + m * N + n] = 0.5 * s;
        }
    const c = assertClose('c', await ctx.read(bC), want, TOL);
    expect(c.maxAbs).toBeLessThan(1e-4);
    p.destroy();
  });
});

describe('matmul kernel paths (vec4 / scalar, split-K)', () => {
  /** Float64 C = alpha * A.B (+ C0) for a row-major A [M,K] read with strides and B [K,N]. */
  function want(
    g: { M: number; N: number; K: number; sAm: number; sAk: number; sBk: number; sBn: number },
    a: Float32Array,
    b: Float32Array,
    alpha: number,
    c0: Float32Array | null,
  ): Float64Array {
    const out = new Float64Array(g.M * g.N);
    for (let m = 0; m < g.M; m++)
      for (let n = 0; n < g.N; n++) {
        let s = 0;
        for (let k = 0; k < g.K; k++) s += a[m * g.sAm + k * g.sAk] * b[k * g.sBk + n * g.sBn];
        out[m * g.N + n] = alpha * s + (c0 ? c0[m * g.N + n] : 0);
      }
    return out;
  }

  // M, N straddle the 64-row/32-column workgroup tile and the 16x8 register tile;
  // N = 36 allows the vec4 kernel, N = 21 does not. K = 192 splits evenly in 2 and 4.
  // The A strides are the weight gradient's (A = dY^T, column access).
  const cases: { kernel: GemmPlan['kernel']; splitK: number; N: number; accumulate: boolean }[] = [];
  for (const kernel of ['vec4', 'scalar'] as const)
    for (const splitK of [1, 2, 4])
      for (const accumulate of [false, true])
        cases.push({ kernel, splitK, N: kernel === 'vec4' ? 36 : 21, accumulate });
  for (const { kernel, splitK, N, accumulate } of cases) {
    test(`${kernel} split-K ${splitK} M=37 N=${N} K=192 accumulate=${accumulate}`, async () => {
      const ctx = await gpu();
      const M = 37,
        K = 192,
        alpha = 0.75;
      const g0 = { M, N, K, sAm: 1, sAk: M, sBk: N, sBn: 1 };
      const a = randn(K * M, 11);
      const b = randn(K * N, 12);
      const c0 = randn(M * N, 13);
      const bA = ctx.upload('a', a);
      const bB = ctx.upload('b', b);
      const bC = ctx.upload('c', c0);
      const p = new Program(ctx);
      gemmWith(p, { a: bA, b: bB, c: bC, ...g0, alpha, accumulate }, { kernel, splitK });
      await noGpuErrors(ctx, () => p.run());
      // K = 192 unit-scale products: f32 rounding ~ sqrt(K) * 6e-8 * |terms|, well inside 1e-4 * sqrt(K).
      assertClose('c', await ctx.read(bC), want(g0, a, b, alpha, accumulate ? c0 : null), {
        rtol: 1e-4,
        atol: 1e-4 * Math.sqrt(K),
      });
      p.destroy();
      ctx.destroyAll([bA, bB, bC]);
    });
  }

  test('vec4 path refuses shapes it cannot serve', async () => {
    const ctx = await gpu();
    const buf = ctx.storage('x', 64);
    const p = new Program(ctx);
    const g = { a: buf, b: buf, c: buf, M: 2, N: 6, K: 2, sAm: 2, sAk: 1, sBk: 6, sBn: 1 };
    expect(vec4Ok(g)).toBe(false);
    expect(() => gemmWith(p, g, { kernel: 'vec4', splitK: 1 })).toThrow();
    expect(() => gemmWith(p, { ...g, N: 4, sBk: 4, K: 3 }, { kernel: 'vec4', splitK: 2 })).toThrow();
    p.destroy();
    ctx.destroy(buf);
  });

  test('gemm splits a long K over a small output, deterministically', async () => {
    const ctx = await gpu();
    // Weight-gradient shape with a tiny output: one output tile, so gemm splits K.
    const M = 9,
      N = 12,
      K = 512;
    const g0 = { M, N, K, sAm: 1, sAk: M, sBk: N, sBn: 1 };
    expect(planGemm(g0 as GemmArgs).splitK).toBeGreaterThan(1);
    expect(planGemm(g0 as GemmArgs).kernel).toBe('vec4');
    const a = randn(K * M, 21);
    const b = randn(K * N, 22);
    const c0 = randn(M * N, 23);
    const bA = ctx.upload('a', a);
    const bB = ctx.upload('b', b);
    const results: Float32Array[] = [];
    for (let rep = 0; rep < 2; rep++) {
      const bC = ctx.upload('c', c0);
      const p = new Program(ctx);
      gemm(p, { a: bA, b: bB, c: bC, ...g0, accumulate: true });
      await noGpuErrors(ctx, () => p.run());
      results.push(await ctx.read(bC));
      p.destroy();
      ctx.destroy(bC);
    }
    // K = 512 unit-scale products: f32 rounding ~ sqrt(K) * 6e-8 * |terms|.
    assertClose('c', results[0], want(g0, a, b, 1, c0), { rtol: 1e-4, atol: 1e-4 * Math.sqrt(K) });
    expect(Array.from(results[1])).toEqual(Array.from(results[0])); // fixed-order reduction: bitwise repeatable
    ctx.destroyAll([bA, bB]);
  });

  test('batched vec4 gemm with alpha', async () => {
    const ctx = await gpu();
    const B = 3,
      M = 41,
      N = 44,
      K = 7;
    const a = randn(B * M * K, 31);
    const b = randn(B * K * N, 32);
    const bA = ctx.upload('a', a);
    const bB = ctx.upload('b', b);
    const bC = ctx.storage('c', B * M * N);
    const g = {
      a: bA,
      b: bB,
      c: bC,
      M,
      N,
      K,
      sAm: K,
      sAk: 1,
      sBk: N,
      sBn: 1,
      alpha: -2,
      batch: B,
      batchA: M * K,
      batchB: K * N,
      batchC: M * N,
    };
    expect(planGemm(g)).toEqual({ kernel: 'vec4', splitK: 1 });
    const p = new Program(ctx);
    gemm(p, g);
    await noGpuErrors(ctx, () => p.run());
    const w = new Float64Array(B * M * N);
    for (let z = 0; z < B; z++)
      w.set(
        want({ M, N, K, sAm: K, sAk: 1, sBk: N, sBn: 1 }, a.subarray(z * M * K), b.subarray(z * K * N), -2, null),
        z * M * N,
      );
    assertClose('c', await ctx.read(bC), w, TOL);
    p.destroy();
    ctx.destroyAll([bA, bB, bC]);
  });
});
