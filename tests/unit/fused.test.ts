// Finite-difference checks of the fused kernels' float64 references (src/reference/fused.ts).
import { describe, expect, test } from 'vitest';
import { matmul_backward_dgelu, matmul_forward_gelu, residual_rmsnorm_forward } from '../../src/reference/fused';
import { gelu_forward } from '../../src/reference/gelu';
import { dot, finiteDifferenceError, projection, randomF64 } from '../../src/reference/gradcheck';
import { matmul_forward } from '../../src/reference/matmul';
import { rmsnorm_backward } from '../../src/reference/rmsnorm';

// Central differences with eps 1e-6 in float64 leave ~1e-9 relative error on
// smooth functions; 1e-6 is far below any real bug (a wrong term is O(1)).
const FD_TOL = 1e-6;

describe('fused references', () => {
  const N = 3,
    IC = 5,
    OC = 4;

  test('matmul_forward_gelu writes the pre-activation and its GELU', () => {
    const inp = randomF64(N * IC, 1);
    const w = randomF64(OC * IC, 2);
    const out = new Float64Array(N * OC);
    const g = new Float64Array(N * OC);
    matmul_forward_gelu(out, g, inp, w, N, IC, OC);
    const want = new Float64Array(N * OC);
    matmul_forward(want, inp, w, N, IC, OC);
    expect(Array.from(out)).toEqual(Array.from(want));
    const wantG = new Float64Array(N * OC);
    gelu_forward(wantG, want, N * OC);
    expect(Array.from(g)).toEqual(Array.from(wantG));
  });

  test('matmul_backward_dgelu matches finite differences of dot(gelu(pre) . W^T, proj)', () => {
    // std 1: a pre-activation far in the tail has a tiny gelu' whose FD roundoff dominates the relative error.
    const pre = randomF64(N * IC, 3);
    const w = randomF64(OC * IC, 4);
    const proj = projection(N * OC, 5);
    const loss = (p: Float64Array, ww: Float64Array) => {
      const g = new Float64Array(N * IC);
      gelu_forward(g, p, N * IC);
      const out = new Float64Array(N * OC);
      matmul_forward(out, g, ww, N, IC, OC);
      return dot(out, proj);
    };
    const inp = new Float64Array(N * IC);
    gelu_forward(inp, pre, N * IC);
    const dpre = new Float64Array(N * IC);
    const dw0 = randomF64(OC * IC, 6); // parameter gradients accumulate
    const dw = Float64Array.from(dw0);
    matmul_backward_dgelu(dpre, dw, proj, inp, pre, w, N, IC, OC);
    expect(finiteDifferenceError((p) => loss(p, w), pre, dpre).worst).toBeLessThan(FD_TOL);
    const dwOnly = dw.map((v, i) => v - dw0[i]);
    expect(finiteDifferenceError((ww) => loss(pre, ww), w, dwOnly).worst).toBeLessThan(FD_TOL);
  });

  test('residual_rmsnorm_forward: its backward (rmsnorm_backward into both inputs) matches finite differences', () => {
    const C = 6;
    const a = randomF64(N * C, 7);
    const b = randomF64(N * C, 8);
    const weight = randomF64(C, 9);
    const proj = projection(N * C, 10);
    const loss = (x: Float64Array, y: Float64Array) => {
      const out = new Float64Array(N * C);
      residual_rmsnorm_forward(new Float64Array(N * C), out, new Float64Array(N), x, y, weight, N, C);
      return dot(out, proj);
    };
    const res = new Float64Array(N * C);
    const rstd = new Float64Array(N);
    residual_rmsnorm_forward(res, new Float64Array(N * C), rstd, a, b, weight, N, C);
    for (let i = 0; i < N * C; i++) expect(res[i]).toBe(a[i] + b[i]);
    const dres = new Float64Array(N * C);
    rmsnorm_backward(dres, new Float64Array(C), proj, res, weight, rstd, N, C, false);
    // The sum passes its gradient to both of its inputs unchanged.
    expect(finiteDifferenceError((x) => loss(x, b), a, dres).worst).toBeLessThan(FD_TOL);
    expect(finiteDifferenceError((y) => loss(a, y), b, dres).worst).toBeLessThan(FD_TOL);
  });
});
