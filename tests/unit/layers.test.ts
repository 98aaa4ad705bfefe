// Finite-difference checks of the float64 references of the non-attention layers.
import { describe, expect, test } from 'vitest';
import { grid1d } from '../../src/gpu/program';
import { crossentropy_forward, fused_classifier, IGNORE_TARGET, loss_mean } from '../../src/reference/crossentropy';
import { encoder_backward, encoder_forward } from '../../src/reference/encoder';
import { gelu_backward, gelu_forward } from '../../src/reference/gelu';
import { dot, finiteDifferenceError, projection, randomF64 } from '../../src/reference/gradcheck';
import { add_inplace, residual_forward } from '../../src/reference/residual';
import { RMSNORM_EPS, rmsnorm_backward, rmsnorm_forward } from '../../src/reference/rmsnorm';
import { silu_backward, silu_forward, swiglu_backward, swiglu_forward } from '../../src/reference/silu';

// Central differences with eps 1e-6 in float64 leave ~1e-9 relative error on
// smooth functions; 1e-6 is far below any real bug (a wrong term is O(1)).
const FD_TOL = 1e-6;

describe('reference rmsnorm', () => {
  const N = 4,
    C = 7;
  test('forward: unit RMS rows, eps included', () => {
    const out = new Float64Array(2);
    const rstd = new Float64Array(1);
    rmsnorm_forward(out, rstd, [3, 4], [1, 2], 1, 2);
    const r = 1 / Math.sqrt(12.5 + RMSNORM_EPS);
    expect(rstd[0]).toBeCloseTo(r, 14);
    expect(out[0]).toBeCloseTo(3 * r, 14);
    expect(out[1]).toBeCloseTo(8 * r, 14);
  });
  test('backward matches finite differences (written and accumulated dinp)', () => {
    const inp = randomF64(N * C, 1);
    const w = randomF64(C, 2);
    const proj = projection(N * C, 3);
    const loss = (x: Float64Array, ww: Float64Array) => {
      const out = new Float64Array(N * C);
      rmsnorm_forward(out, new Float64Array(N), x, ww, N, C);
      return dot(out, proj);
    };
    const rstd = new Float64Array(N);
    rmsnorm_forward(new Float64Array(N * C), rstd, inp, w, N, C);
    const dinp = new Float64Array(N * C);
    const dw0 = randomF64(C, 4);
    const dw = Float64Array.from(dw0);
    rmsnorm_backward(dinp, dw, proj, inp, w, rstd, N, C, false);
    expect(finiteDifferenceError((x) => loss(x, w), inp, dinp).worst).toBeLessThan(FD_TOL);
    const dwOnly = dw.map((v, i) => v - dw0[i]);
    expect(finiteDifferenceError((ww) => loss(inp, ww), w, dwOnly).worst).toBeLessThan(FD_TOL);
    // accumulate: the old contents plus the same gradient
    const base = randomF64(N * C, 5);
    const acc = Float64Array.from(base);
    rmsnorm_backward(acc, new Float64Array(C), proj, inp, w, rstd, N, C, true);
    for (let i = 0; i < N * C; i++) expect(acc[i]).toBeCloseTo(base[i] + dinp[i], 12);
  });
});

/** FD check of an element-wise op's backward at `x` (dout = a fixed projection). */
function elementwiseFd(
  fwd: (out: Float64Array, x: Float64Array, n: number) => void,
  bwd: (dinp: Float64Array, x: Float64Array, dout: Float64Array, n: number) => void,
  x: Float64Array,
): number {
  const n = x.length;
  const proj = projection(n, 11);
  const loss = (xx: Float64Array) => {
    const out = new Float64Array(n);
    fwd(out, xx, n);
    return dot(out, proj);
  };
  const dinp = new Float64Array(n);
  bwd(dinp, x, proj, n);
  return finiteDifferenceError(loss, x, dinp).worst;
}

describe('reference gelu', () => {
  test('forward matches known values', () => {
    const out = new Float64Array(3);
    gelu_forward(out, [0, 1, -1], 3);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(0.8411919906082768, 12); // tanh-approx GELU(1)
    expect(out[2]).toBeCloseTo(0.8411919906082768 - 1, 12); // gelu(-x) = gelu(x) - x
  });
  test('backward matches finite differences', () => {
    const x = randomF64(40, 6, 2);
    expect(elementwiseFd(gelu_forward, gelu_backward, x)).toBeLessThan(FD_TOL);
  });
});

describe('reference silu / swiglu', () => {
  test('forward matches known values and stays finite', () => {
    const out = new Float64Array(4);
    silu_forward(out, [0, 1, -800, 800], 4);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 14);
    expect(out[2]).toBeCloseTo(0, 14);
    expect(out[3]).toBe(800);
  });
  test('silu backward matches finite differences', () => {
    // std 2: deep in the negative tail silu' ~ 1e-5 and FD roundoff (~1e-10) dominates the relative error.
    const x = randomF64(40, 7, 2);
    expect(elementwiseFd(silu_forward, silu_backward, x)).toBeLessThan(FD_TOL);
  });
  test('swiglu forward is silu(gate) * up and backward matches finite differences', () => {
    const n = 30;
    const gate = randomF64(n, 8, 2);
    const up = randomF64(n, 9);
    const s = new Float64Array(n);
    silu_forward(s, gate, n);
    const out = new Float64Array(n);
    swiglu_forward(out, gate, up, n);
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(s[i] * up[i], 14);
    const proj = projection(n, 10);
    const loss = (g: Float64Array, u: Float64Array) => {
      const o = new Float64Array(n);
      swiglu_forward(o, g, u, n);
      return dot(o, proj);
    };
    const dgate = new Float64Array(n);
    const dup = new Float64Array(n);
    swiglu_backward(dgate, dup, gate, up, proj, n);
    expect(finiteDifferenceError((g) => loss(g, up), gate, dgate).worst).toBeLessThan(FD_TOL);
    expect(finiteDifferenceError((u) => loss(gate, u), up, dup).worst).toBeLessThan(FD_TOL);
  });
});

describe('reference residual', () => {
  test('residual_forward adds and add_inplace accumulates', () => {
    const out = new Float64Array(3);
    residual_forward(out, [1, 2, 3], [10, 20, 30], 3);
    expect(Array.from(out)).toEqual([11, 22, 33]);
    add_inplace(out, [1, 1, 1], 2); // only the first n elements
    expect(Array.from(out)).toEqual([12, 23, 33]);
  });
});

describe('reference encoder', () => {
  test('forward gathers rows; backward matches finite differences and accumulates', () => {
    const N = 9,
      C = 4,
      V = 5;
    const tokens = [0, 3, 3, 1, 4, 0, 3, 2, 0];
    const wte = randomF64(V * C, 12);
    const out = new Float64Array(N * C);
    encoder_forward(out, tokens, wte, N, C);
    expect(out[1 * C + 2]).toBe(wte[3 * C + 2]);
    const proj = projection(N * C, 13);
    const loss = (w: Float64Array) => {
      const o = new Float64Array(N * C);
      encoder_forward(o, tokens, w, N, C);
      return dot(o, proj);
    };
    const dw0 = randomF64(V * C, 14);
    const dw = Float64Array.from(dw0);
    encoder_backward(dw, proj, tokens, N, C, V);
    const grad = dw.map((v, i) => v - dw0[i]);
    expect(finiteDifferenceError(loss, wte, grad).worst).toBeLessThan(FD_TOL);
  });
});

describe('reference crossentropy', () => {
  test('forward is logsumexp minus the target logit; ignored rows are 0', () => {
    const losses = new Float64Array(2);
    crossentropy_forward(losses, [1, 2, 3, 1000, 1001, 1002], [2, IGNORE_TARGET], 2, 3);
    expect(losses[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 14);
    expect(losses[1]).toBe(0);
    const big = new Float64Array(1);
    crossentropy_forward(big, [1000, 1001, 1002], [0], 1, 3); // stable: row max subtracted
    expect(big[0]).toBeCloseTo(losses[0] + 2, 10);
  });
  test('fused_classifier dlogits match finite differences of the mean loss', () => {
    const N = 6,
      V = 5;
    const logits = randomF64(N * V, 15, 2);
    const targets = [4, IGNORE_TARGET, 0, 2, IGNORE_TARGET, 2];
    const count = targets.filter((t) => t !== IGNORE_TARGET).length;
    const meanLoss = (l: Float64Array) => {
      const losses = new Float64Array(N);
      crossentropy_forward(losses, l, targets, N, V);
      const out = new Float64Array(1);
      loss_mean(out, 0, losses, targets, N);
      return out[0];
    };
    const losses = new Float64Array(N);
    const dlogits = new Float64Array(N * V).fill(7); // must be overwritten
    fused_classifier(losses, dlogits, logits, targets, N, V, 1 / count);
    expect(finiteDifferenceError(meanLoss, logits, dlogits).worst).toBeLessThan(FD_TOL);
    for (let v = 0; v < V; v++) expect(dlogits[1 * V + v]).toBe(0);
    const direct = new Float64Array(N);
    crossentropy_forward(direct, logits, targets, N, V);
    expect(Array.from(losses)).toEqual(Array.from(direct));
  });
  test('loss_mean averages scored positions only, 0 when none', () => {
    const out = new Float64Array(3).fill(-1);
    loss_mean(out, 1, [1, 100, 3], [0, IGNORE_TARGET, 5], 3);
    expect(out[1]).toBe(2);
    expect(out[0]).toBe(-1);
    loss_mean(out, 2, [0, 0], [IGNORE_TARGET, IGNORE_TARGET], 2);
    expect(out[2]).toBe(0);
  });
});

describe('grid1d (workgroup spreading over x and y)', () => {
  test('covers every workgroup, stays within 65535 per dimension, wastes under one row', () => {
    for (const count of [0, 1, 255, 65535, 65536, 66000, 200001, 65535 * 65535]) {
      const [x, y] = grid1d(count);
      expect(x).toBeLessThanOrEqual(65535);
      expect(y).toBeLessThanOrEqual(65535);
      expect(x * y).toBeGreaterThanOrEqual(count);
      if (count > 0) expect(x * (y - 1)).toBeLessThan(count);
    }
    expect(grid1d(65536)[1]).toBe(2);
  });
});
