import { describe, expect, test } from 'vitest';
import { dot, finiteDifferenceError, projection, randomF64 } from '../../src/reference/gradcheck';
import { nonapprox_backward, nonapprox_forward } from '../../src/reference/nonapprox';
import { reweight_backward, reweight_forward } from '../../src/reference/reweight';
import { taylor_linear_forward, taylor_quadratic_forward } from '../../src/reference/taylor_linear';
import { Rng } from '../../src/util/random';

/** Causal softmax rows [BH, T, T] of random logits (std `scale`). */
function softmaxRows(BH: number, T: number, seed: number, scale: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(BH * T * T);
  for (let r = 0; r < BH * T; r++) {
    const i = r % T;
    const x = Array.from({ length: i + 1 }, () => rng.normal() * scale);
    const mx = Math.max(...x);
    const e = x.map((v) => Math.exp(v - mx));
    const s = e.reduce((p, v) => p + v, 0);
    for (let j = 0; j <= i; j++) a[r * T + j] = e[j] / s;
  }
  return a;
}

describe('reference reweight', () => {
  test('forward matches hand computations', () => {
    // One row per case, T = 4, so the last row has i1 = 4 and o = 1.
    const T = 4;
    const att = new Float64Array(T * T);
    att.set([1], 0);
    att.set([0.5, 0.5], 4);
    att.set([0.6, 0.3, 0.1], 8);
    att.set([0.5, 0.3, 0.1, 0.1], 12);
    const out = new Float64Array(T * T);
    reweight_forward(out, att, 1, T, 1);
    // i1 = 3, o = 0: r = 3A, p = 1 gives A back.
    expect(Array.from(out.slice(8, 12))).toEqual([0.6, 0.3, 0.1, 0].map((x, j) => (j < 3 ? expect.closeTo(x, 12) : 0)));
    // i1 = 4, o = 1: r = [1, 0.2, 0, 0] (relu clips 4*0.1 - 1 < 0).
    for (const [j, x] of [1 / 1.2, 0.2 / 1.2, 0, 0].entries()) expect(out[12 + j]).toBeCloseTo(x, 12);
    reweight_forward(out, att, 1, T, 3);
    const d = 1 + 0.2 ** 3;
    for (const [j, x] of [1 / d, 0.2 ** 3 / d, 0, 0].entries()) expect(out[12 + j]).toBeCloseTo(x, 12);
    // Rows 0 and 1 (o = 0, equal entries) stay as they are for any p.
    expect(out[0]).toBe(1);
    expect(out[4]).toBeCloseTo(0.5, 14);
  });

  test('uniform rows keep A and pass the gradient through', () => {
    const T = 8; // row 7: i1 = 8, A = 1/8 exactly, so every r = 0
    const att = new Float64Array(T * T);
    for (let j = 0; j < T; j++) att[7 * T + j] = 1 / 8;
    const out = new Float64Array(T * T);
    reweight_forward(out, att, 1, T, 15);
    for (let j = 0; j < T; j++) expect(out[7 * T + j]).toBe(1 / 8);
    const dout = randomF64(T * T, 9);
    const datt = new Float64Array(T * T);
    reweight_backward(datt, dout, att, out, 1, T, 15);
    for (let j = 0; j < T; j++) expect(datt[7 * T + j]).toBe(dout[7 * T + j]);
  });

  test('near one-hot rows of length 1024 do not overflow at p = 15 and 50', () => {
    const T = 1024;
    const att = new Float64Array(T * T);
    const row = 1023 * T;
    for (let j = 0; j < T; j++) att[row + j] = 1e-6;
    att[row + 17] = 1 - 1023e-6;
    att[row + 500] += 2e-4; // a second survivor: r = 1024 * 2.01e-4 - 1 < 0, so it dies
    for (const p of [15, 50]) {
      const out = new Float64Array(T * T);
      reweight_forward(out, att, 1, T, p);
      expect(out[row + 17]).toBe(1);
      const datt = new Float64Array(T * T);
      reweight_backward(datt, projection(T * T, 4), att, out, 1, T, p);
      expect(datt.every(Number.isFinite)).toBe(true);
    }
  });

  for (const p of [1, 3, 15]) {
    test(`backward matches finite differences, p = ${p}`, () => {
      const BH = 2,
        T = 7;
      // Logit scale 1.5 leaves several survivors per row; no x_j within 1e-3
      // of the relu kink (checked; a step moves x by at most 7 * eps), so
      // central differences are smooth.
      const att = softmaxRows(BH, T, 10 + p, 1.5);
      for (let r = 0; r < BH * T; r++) {
        const i = r % T;
        for (let j = 0; j <= i; j++) {
          const x = (i + 1) * att[r * T + j] - (i + 1 <= 3 ? 0 : 1);
          expect(Math.abs(x)).toBeGreaterThan(1e-3);
        }
      }
      const proj = projection(BH * T * T, 3);
      const loss = (a: Float64Array) => {
        const o = new Float64Array(BH * T * T);
        reweight_forward(o, a, BH, T, p);
        return dot(o, proj);
      };
      const out = new Float64Array(BH * T * T);
      reweight_forward(out, att, BH, T, p);
      const datt = new Float64Array(BH * T * T);
      reweight_backward(datt, proj, att, out, BH, T, p);
      expect(datt.some((g) => Math.abs(g) > 1e-3)).toBe(true);
      // eps 1e-5: u^15 has large curvature, and smaller steps drown the
      // 1e-10-sized gradients of nearly dead entries in round-off (their
      // error is measured against the checker's 1e-6 floor).
      expect(finiteDifferenceError(loss, att, datt, { eps: 1e-5 }).worst).toBeLessThan(1e-4);
    });
  }

  test('p below 1 is refused', () => {
    expect(() => reweight_forward(new Float64Array(1), [1], 1, 1, 0.5)).toThrow(/p must be/);
  });
});

describe('reference nonapprox', () => {
  const B = 1,
    H = 2,
    T = 6,
    hd = 3;
  const n = B * H * T * hd;

  test('forward equals the direct weighted mean, even with huge scores', () => {
    for (const qs of [1, 300]) {
      const q = randomF64(n, 1, qs);
      const k = randomF64(n, 2);
      const v = randomF64(n, 3);
      const out = new Float64Array(n);
      const stats = new Float64Array(B * H * T * 2);
      nonapprox_forward(out, stats, q, k, v, B, H, T, hd);
      for (let bh = 0; bh < B * H; bh++) {
        const s = Array.from({ length: T }, (_, t) => {
          let a = 0;
          for (let c = 0; c < hd; c++) a += q[(bh * T + t) * hd + c] * k[(bh * T + t) * hd + c];
          return a / Math.sqrt(hd);
        });
        for (let i = 0; i < T; i++) {
          const mx = Math.max(...s.slice(0, i + 1));
          const w = s.slice(0, i + 1).map((x) => Math.exp(x - mx));
          const Z = w.reduce((p, x) => p + x, 0);
          expect(stats[(bh * T + i) * 2]).toBeCloseTo(mx, 12);
          expect(stats[(bh * T + i) * 2 + 1]).toBeCloseTo(Z, 12);
          for (let c = 0; c < hd; c++) {
            let acc = 0;
            for (let j = 0; j <= i; j++) acc += w[j] * v[(bh * T + j) * hd + c];
            expect(out[(bh * T + i) * hd + c]).toBeCloseTo(acc / Z, 12);
          }
        }
      }
      expect(out.every(Number.isFinite)).toBe(true);
    }
  });

  test('backward (reverse scan) matches finite differences', () => {
    const q = randomF64(n, 4, 1.5);
    const k = randomF64(n, 5, 1.5);
    const v = randomF64(n, 6);
    const proj = projection(n, 7);
    const loss = (qq: Float64Array, kk: Float64Array, vv: Float64Array) => {
      const out = new Float64Array(n);
      nonapprox_forward(out, new Float64Array(B * H * T * 2), qq, kk, vv, B, H, T, hd);
      return dot(out, proj);
    };
    const out = new Float64Array(n);
    const stats = new Float64Array(B * H * T * 2);
    nonapprox_forward(out, stats, q, k, v, B, H, T, hd);
    const dq = new Float64Array(n),
      dk = new Float64Array(n),
      dv = new Float64Array(n);
    nonapprox_backward(dq, dk, dv, proj, out, stats, q, k, v, B, H, T, hd);
    expect(finiteDifferenceError((x) => loss(x, k, v), q, dq).worst).toBeLessThan(1e-6);
    expect(finiteDifferenceError((x) => loss(q, x, v), k, dk).worst).toBeLessThan(1e-6);
    expect(finiteDifferenceError((x) => loss(q, k, x), v, dv).worst).toBeLessThan(1e-6);
  });
});

describe('reference taylor linear form', () => {
  for (const [B, H, T, hd] of [
    [1, 1, 1, 1],
    [1, 2, 9, 3],
    [2, 1, 20, 16],
    [1, 1, 40, 5],
  ] as const) {
    test(`linear and quadratic forms agree B=${B} H=${H} T=${T} hd=${hd}`, () => {
      const n = B * H * T * hd;
      const q = randomF64(n, 11, 1.2);
      const k = randomF64(n, 12, 1.2);
      const v = randomF64(n, 13);
      const lin = new Float64Array(n);
      const quad = new Float64Array(n);
      taylor_linear_forward(lin, q, k, v, B, H, T, hd);
      taylor_quadratic_forward(quad, q, k, v, B, H, T, hd);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(lin[i] - quad[i]) / Math.max(1, Math.abs(quad[i])));
      expect(worst).toBeLessThan(1e-10);
      // Row 0 sees only itself: out_0 = v_0 in both forms.
      for (let c = 0; c < hd; c++) expect(lin[c]).toBeCloseTo(v[c], 12);
    });
  }

  test('ALiBi is refused with a clear error', () => {
    const z = new Float64Array(4);
    expect(() => taylor_linear_forward(z, z, z, z, 1, 1, 1, 4, true)).toThrow(/ALiBi is not supported/);
    expect(() => taylor_quadratic_forward(z, z, z, z, 1, 1, 1, 4, true)).toThrow(/ALiBi/);
  });
});
