import { describe, expect, test } from 'vitest';
import { gpu, noGpuErrors } from './gpu';
import { Program } from '../../src/gpu/program';
import { gemm, matmul_backward, matmul_forward } from '../../src/kernels/matmul';
import * as ref from '../../src/reference/matmul';
import { randn } from '../../src/util/random';
import { assertClose } from '../../src/util/compare';

// f32 accumulation over K terms of unit-scale products: error ~ sqrt(K) * 6e-8 * |terms|.
const TOL = { rtol: 1e-4, atol: 1e-4 };

describe('matmul kernel', () => {
  // Sizes straddle the 64-wide tile and the 16-deep k-tile (1, 63, 65, 130).
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [7, 5, 3],
    [65, 33, 17],
    [130, 64, 63],
    [64, 256, 64],
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
      matmul_backward(p, bDinp, bDw, bDout, bInp, bW, N, IC, OC);
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
    const B = 3, M = 9, N = 70, K = 5;
    const a = randn(B * M * K, 5);
    const b = randn(B * K * N, 6);
    const bA = ctx.upload('a', a);
    const bB = ctx.upload('b', b);
    const bC = ctx.storage('c', B * M * N);
    const p = new Program(ctx);
    gemm(p, { a: bA, b: bB, c: bC, M, N, K, sAm: K, sAk: 1, sBk: N, sBn: 1, alpha: 0.5, batch: B, batchA: M * K, batchB: K * N, batchC: M * N });
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
