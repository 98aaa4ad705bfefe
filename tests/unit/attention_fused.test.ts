import { describe, expect, test } from 'vitest';
import { attention_probs_forward } from '../../src/reference/attention';
import * as F from '../../src/reference/attention_fused';
import { randomF64 } from '../../src/reference/gradcheck';
import { reweight_forward } from '../../src/reference/reweight';
import { assertClose } from '../../src/util/compare';

// Exact closed forms computed in float64: only summation rounding separates them.
const TIGHT = { rtol: 1e-12, atol: 1e-12 };

/** [1, L, L] weights with row i given by f(i, j) for j <= i. */
function weights(L: number, f: (i: number, j: number) => number): Float64Array {
  const A = new Float64Array(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j <= i; j++) A[i * L + j] = f(i, j);
  return A;
}

function diag(A: Float64Array, L: number, BH = 1): Float64Array {
  const d = new Float64Array(BH * L * 4);
  F.diagnostics_from_weights(d, A, BH, L);
  return d;
}

function expected(L: number, f: (i: number) => [number, number, number, number]): Float64Array {
  const d = new Float64Array(L * 4);
  for (let i = 0; i < L; i++) d.set(f(i), i * 4);
  return d;
}

describe('diagnostics_from_weights on hand-made rows', () => {
  const L = 9;
  test('uniform rows: entropy log(i+1), sink 1/(i+1), local min(i+1, 4)/(i+1), distance i/2', () => {
    const A = weights(L, (i) => 1 / (i + 1));
    assertClose(
      'uniform',
      diag(A, L),
      expected(L, (i) => [Math.log(i + 1), 1 / (i + 1), Math.min(i + 1, 4) / (i + 1), i / 2]),
      TIGHT,
    );
  });
  test('pure sink: entropy 0, sink 1, local 1 only for i <= 3, distance i', () => {
    const A = weights(L, (_i, j) => (j === 0 ? 1 : 0));
    assertClose(
      'sink',
      diag(A, L),
      expected(L, (i) => [0, 1, i <= 3 ? 1 : 0, i]),
      TIGHT,
    );
  });
  test('previous token: entropy 0, local 1, distance 1 (row 0: itself)', () => {
    const A = weights(L, (i, j) => (j === Math.max(i - 1, 0) ? 1 : 0));
    assertClose(
      'prev',
      diag(A, L),
      expected(L, (i) => [0, i <= 1 ? 1 : 0, 1, i === 0 ? 0 : 1]),
      TIGHT,
    );
  });
  test('two halves on distances 0 and 5: entropy ln 2, local 1/2, distance 5/2', () => {
    const A = weights(L, (i, j) => (i < 5 ? (j === i ? 1 : 0) : j === i || j === i - 5 ? 0.5 : 0));
    assertClose(
      'halves',
      diag(A, L),
      expected(L, (i) => (i < 5 ? [0, i === 0 ? 1 : 0, 1, 0] : [Math.LN2, i === 5 ? 0.5 : 0, 0.5, 2.5])),
      TIGHT,
    );
  });
  test('unnormalised (raw sigmoid/relu-style) rows use the same sums', () => {
    const A = weights(L, (_i, j) => (j === 0 ? 2 : 0.5));
    // Row i: key 0 weighs 2, keys 1..i weigh 0.5; the four nearest keys include key 0 only when i <= 3.
    const want = expected(L, (i) => [
      -2 * Math.log(2) - 0.5 * i * Math.log(0.5),
      2,
      i <= 3 ? 2 + 0.5 * i : 2,
      2 * i + (0.5 * i * (i - 1)) / 2,
    ]);
    assertClose('raw', diag(A, L), want, TIGHT);
  });
  test('entries above the diagonal are ignored', () => {
    const A = weights(L, (i) => 1 / (i + 1));
    const B = A.slice();
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) B[i * L + j] = 7;
    expect(diag(B, L)).toEqual(diag(A, L));
  });
});

describe('map_from_weights', () => {
  test('R = L reproduces A', () => {
    const L = 6;
    const A = weights(L, (i, j) => (j + 1) / (((i + 1) * (i + 2)) / 2));
    const m = new Float64Array(L * L);
    F.map_from_weights(m, A, 0, L, L);
    assertClose('identity', m, A, TIGHT);
  });
  test('L = 4, R = 2 by hand; the zeros above the diagonal count', () => {
    const L = 4;
    const A = weights(L, (i) => 1 / (i + 1));
    const m = new Float64Array(4);
    F.map_from_weights(m, A, 0, L, 2);
    // rows 0-1 x cols 0-1: (1 + 1/2 + 1/2) / 4; rows 0-1 x cols 2-3: 0;
    // rows 2-3 x cols 0-1: (1/3 + 1/3 + 1/4 + 1/4) / 4; rows 2-3 x cols 2-3: (1/3 + 1/4 + 1/4) / 4.
    assertClose('2x2', m, [2 / 4, 0, (2 / 3 + 1 / 2) / 4, (1 / 3 + 1 / 2) / 4], TIGHT);
  });
  test('uneven buckets (L = 7, R = 3) conserve mass: sum of cell means x cell sizes = sum of A', () => {
    const L = 7,
      R = 3,
      BH = 2;
    const A = new Float64Array(BH * L * L);
    const rnd = randomF64(BH * L * L, 5);
    for (let r = 0; r < BH * L; r++) for (let j = 0; j <= r % L; j++) A[r * L + j] = Math.abs(rnd[r * L + j]);
    const m = new Float64Array(R * R);
    F.map_from_weights(m, A, 1, L, R);
    let mass = 0,
      want = 0;
    for (let r = 0; r < R; r++)
      for (let c = 0; c < R; c++)
        mass +=
          m[r * R + c] *
          (F.bucketStart(r + 1, L, R) - F.bucketStart(r, L, R)) *
          (F.bucketStart(c + 1, L, R) - F.bucketStart(c, L, R));
    for (let i = 0; i < L * L; i++) want += A[L * L + i];
    expect(Math.abs(mass - want)).toBeLessThan(1e-12 * want);
    expect(m[0 * R + 2]).toBe(0); // strictly above the diagonal
  });
  test('R > L: empty buckets give 0', () => {
    const L = 2,
      R = 4;
    const A = weights(L, (i) => 1 / (i + 1));
    const m = new Float64Array(R * R);
    F.map_from_weights(m, A, 0, L, R);
    // Buckets: [0,0) [0,1) [1,1) [1,2): only buckets 1 and 3 are non-empty.
    const want = new Float64Array(R * R);
    want[1 * R + 1] = 1;
    want[3 * R + 1] = 0.5;
    want[3 * R + 3] = 0.5;
    assertClose('empty', m, want, TIGHT);
  });
});

describe('attention_fused_* references are the unfused chain', () => {
  test('diagnostics of softmax + alibi + reweight 15 equal diagnostics_from_weights of probs -> reweight', () => {
    const B = 1,
      H = 2,
      L = 11,
      hd = 4;
    const params = { mechanism: 'softmax' as const, alibi: true, trainLength: 8 };
    const q = randomF64(B * H * L * hd, 1),
      k = randomF64(B * H * L * hd, 2);
    const att = new Float64Array(B * H * L * L);
    attention_probs_forward(att, new Float64Array(B * H * L), q, k, B, H, L, hd, params);
    const rw = new Float64Array(att.length);
    reweight_forward(rw, att, B * H, L, 15);
    const d = new Float64Array(B * H * L * 4);
    F.attention_fused_diagnostics(d, q, k, B, H, L, hd, params, 15);
    expect(d).toEqual(diag(rw, L, B * H));
    // Rows sum to 1, so the entropy is within [0, log(i + 1)] and local focus within [0, 1].
    for (let r = 0; r < B * H * L; r++) {
      const i = r % L;
      expect(d[r * 4]).toBeGreaterThanOrEqual(-1e-12);
      expect(d[r * 4]).toBeLessThanOrEqual(Math.log(i + 1) + 1e-12);
      expect(d[r * 4 + 2]).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});

describe('windowed evaluation in the float64 reference', () => {
  // A windowed row i sees keys i + 1 - W .. i and counts W of them: it must equal the last
  // row of a length-W sequence made of those keys. True exactly for the relative schemes
  // (nope, ALiBi); RoPE is relative too, but its angles need the absolute positions.
  const H = 2,
    L = 11,
    W = 4,
    hd = 4;
  const q = randomF64(H * L * hd, 71);
  const k = randomF64(H * L * hd, 72);
  /** Rows [a, b) of each head of a [1, H, L, hd] tensor, as a [1, H, b - a, hd] tensor. */
  const slice = (x: Float64Array, a: number, b: number) => {
    const out = new Float64Array(H * (b - a) * hd);
    for (let h = 0; h < H; h++) out.set(x.subarray((h * L + a) * hd, (h * L + b) * hd), h * (b - a) * hd);
    return out;
  };
  const cases = [
    ['softmax', null],
    ['lssa', 15],
    ['lssacap', null],
    ['lssmax', 3],
    ['softplus', null],
    ['taylor', 15],
    ['sigmoid', null],
    ['relu', null],
  ] as const;
  for (const [mechanism, p] of cases)
    test(`${mechanism}${p ? ` + re-weighting p = ${p}` : ''}: a windowed row is the last row of its window`, () => {
      const params = { mechanism, alibi: true, trainLength: 3 };
      const A = F.attention_fused_weights(q, k, 1, H, L, hd, { ...params, window: W }, p);
      for (let i = 0; i < L; i++) {
        const a = Math.max(0, i + 1 - W),
          n = i + 1 - a;
        const sub = F.attention_fused_weights(slice(q, a, i + 1), slice(k, a, i + 1), 1, H, n, hd, params, p);
        for (let h = 0; h < H; h++)
          for (let j = 0; j < L; j++) {
            const got = A[(h * L + i) * L + j];
            const want = j < a || j > i ? 0 : sub[(h * n + n - 1) * n + (j - a)];
            expect(Math.abs(got - want), `row ${i} key ${j} head ${h}`).toBeLessThan(1e-14);
          }
      }
      // The window changed something, and a window of at least L changes nothing.
      const full = F.attention_fused_weights(q, k, 1, H, L, hd, params, p);
      expect(Math.max(...full.map((x, i) => Math.abs(x - A[i])))).toBeGreaterThan(1e-3);
      expect(F.attention_fused_weights(q, k, 1, H, L, hd, { ...params, window: L }, p)).toEqual(full);
    });
});
