import { describe, expect, test } from 'vitest';
import { dot, finiteDifferenceError, projection, randomF64 } from '../../src/reference/gradcheck';
import { matmul_backward, matmul_forward } from '../../src/reference/matmul';

describe('reference matmul', () => {
  const N = 5,
    IC = 4,
    OC = 3;
  test('forward matches a hand computation', () => {
    const out = new Float64Array(1);
    matmul_forward(out, [1, 2], [3, 4], 1, 2, 1);
    expect(out[0]).toBe(11);
  });
  test('backward matches finite differences', () => {
    const inp = randomF64(N * IC, 1);
    const w = randomF64(OC * IC, 2);
    const proj = projection(N * OC, 3);
    const loss = (x: Float64Array, ww: Float64Array) => {
      const out = new Float64Array(N * OC);
      matmul_forward(out, x, ww, N, IC, OC);
      return dot(out, proj);
    };
    const dinp = new Float64Array(N * IC);
    const dw = new Float64Array(OC * IC);
    matmul_backward(dinp, dw, proj, inp, w, N, IC, OC);
    expect(finiteDifferenceError((x) => loss(x, w), inp, dinp).worst).toBeLessThan(1e-6);
    expect(finiteDifferenceError((ww) => loss(inp, ww), w, dw).worst).toBeLessThan(1e-6);
  });
});
