import { describe, expect, test } from 'vitest';
import { NORMALISED_MECHANISMS, type ProbsParams } from '../../src/kernels/attention';
import * as att from '../../src/reference/attention';
import { dot, finiteDifferenceError, projection, randomF64 } from '../../src/reference/gradcheck';
import {
  heads_merge_backward,
  heads_merge_forward,
  qkv_split_backward,
  qkv_split_forward,
} from '../../src/reference/heads';
import { rope_backward, rope_forward } from '../../src/reference/rope';

type Scheme = 'rope' | 'alibi' | 'nope';
const SCHEMES: Scheme[] = ['rope', 'alibi', 'nope'];

/** Forward of the whole causal attention (rope -> probs -> values) for the finite-difference loss. */
function attend(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  B: number,
  H: number,
  T: number,
  hd: number,
  scheme: Scheme,
  params: ProbsParams,
) {
  const n = B * H * T * hd;
  const qr = new Float64Array(n);
  const kr = new Float64Array(n);
  if (scheme === 'rope') {
    rope_forward(qr, q, B * H, T, hd);
    rope_forward(kr, k, B * H, T, hd);
  } else {
    qr.set(q);
    kr.set(k);
  }
  const A = new Float64Array(B * H * T * T);
  const rs = new Float64Array(B * H * T);
  att.attention_probs_forward(A, rs, qr, kr, B, H, T, hd, params);
  const out = new Float64Array(n);
  att.attention_values_forward(out, A, v, B, H, T, hd);
  return { qr, kr, A, rs, out };
}

describe('reference attention: backward vs finite differences', () => {
  const H = 2,
    T = 5,
    hd = 4;
  for (const mechanism of NORMALISED_MECHANISMS)
    for (const scheme of SCHEMES) {
      const B = scheme === 'alibi' ? 1 : 2;
      test(`${mechanism} + ${scheme} (B=${B})`, () => {
        const params: ProbsParams = { mechanism, alibi: scheme === 'alibi', trainLength: 3 };
        const n = B * H * T * hd;
        const q = randomF64(n, 11);
        const k = randomF64(n, 12);
        const v = randomF64(n, 13);
        const pOut = projection(n, 14);
        const pAtt = projection(B * H * T * T, 15); // also load att directly, as a re-weighting pass would
        const loss = (qq: Float64Array, kk: Float64Array, vv: Float64Array) => {
          const r = attend(qq, kk, vv, B, H, T, hd, scheme, params);
          return dot(r.out, pOut) + dot(r.A, pAtt);
        };
        const f = attend(q, k, v, B, H, T, hd, scheme, params);
        const datt = new Float64Array(B * H * T * T);
        const dv = new Float64Array(n);
        att.attention_values_backward(datt, dv, pOut, f.A, v, B, H, T, hd);
        for (let i = 0; i < datt.length; i++) datt[i] += pAtt[i];
        const dq = new Float64Array(n);
        const dk = new Float64Array(n);
        att.attention_probs_backward(dq, dk, datt, f.A, f.rs, f.qr, f.kr, B, H, T, hd, params);
        if (scheme === 'rope') {
          const t = new Float64Array(n);
          rope_backward(t, dq, B * H, T, hd);
          dq.set(t);
          rope_backward(t, dk, B * H, T, hd);
          dk.set(t);
        }
        // The gradients must be non-trivial for the comparison to mean anything.
        expect(Math.max(...dq.map(Math.abs))).toBeGreaterThan(1e-3);
        // eps 1e-5: with 1e-6 the roundoff of the loss (~1e-16 / eps) shows on gradients of ~1e-4.
        const fd = { eps: 1e-5 };
        expect(finiteDifferenceError((x) => loss(x, k, v), q, dq, fd).worst).toBeLessThan(1e-6);
        expect(finiteDifferenceError((x) => loss(q, x, v), k, dk, fd).worst).toBeLessThan(1e-6);
        expect(finiteDifferenceError((x) => loss(q, k, x), v, dv, fd).worst).toBeLessThan(1e-6);
      });
    }
});

describe('reference attention: forward properties', () => {
  const B = 1,
    H = 3,
    T = 6,
    hd = 4;
  const q = randomF64(B * H * T * hd, 21);
  const k = randomF64(B * H * T * hd, 22);
  for (const mechanism of NORMALISED_MECHANISMS)
    test(`${mechanism}: causal zeros, row sums, rowstat`, () => {
      const A = new Float64Array(B * H * T * T);
      const rs = new Float64Array(B * H * T);
      att.attention_probs_forward(A, rs, q, k, B, H, T, hd, { mechanism, alibi: true, trainLength: 4 });
      for (let r = 0; r < B * H * T; r++) {
        const i = r % T;
        let sum = 0;
        for (let j = 0; j < T; j++) {
          if (j > i) expect(A[r * T + j]).toBe(0);
          else expect(A[r * T + j]).toBeGreaterThanOrEqual(0);
          sum += A[r * T + j];
        }
        if (att.isNormalised(mechanism)) expect(sum).toBeCloseTo(1, 12);
        if (mechanism === 'sigmoid' || mechanism === 'relu') expect(rs[r]).toBeCloseTo(sum, 12);
      }
    });

  test('hand-computed rows: softmax, lssa row 1, relu, sigmoid', () => {
    // T=2, hd=4, one head: q = k = e0 at both positions.
    const e = [1, 0, 0, 0, 1, 0, 0, 0];
    const A = new Float64Array(4);
    const rs = new Float64Array(2);
    att.attention_probs_forward(A, rs, e, e, 1, 1, 2, 4, { mechanism: 'softmax', alibi: true, trainLength: 2 });
    // slope 2^-8; logits 0.5 - 2^-8 (j=0) and 0.5 (j=1).
    const w = Math.exp(-Math.pow(2, -8));
    expect(A[2]).toBeCloseTo(w / (1 + w), 14);
    expect(rs[1]).toBeCloseTo(0.5 + Math.log(1 + w), 14);
    att.attention_probs_forward(A, rs, e, e, 1, 1, 2, 4, { mechanism: 'lssa', alibi: false, trainLength: 2 });
    expect(A[0]).toBe(1); // c_1 = 0
    expect(A[2]).toBeCloseTo(0.5, 14); // equal logits ln(4) ln(2) * 1
    att.attention_probs_forward(A, rs, e, e, 1, 1, 2, 4, { mechanism: 'relu', alibi: false, trainLength: 2 });
    expect(A[2]).toBeCloseTo(0.25, 14); // relu(0.5) / 2
    att.attention_probs_forward(A, rs, e, e, 1, 1, 2, 4, { mechanism: 'sigmoid', alibi: false, trainLength: 2 });
    expect(A[3]).toBeCloseTo(1 / (1 + Math.exp(-(0.5 - Math.log(2)))), 14);
  });

  test('hand-computed rows: softplus, lssmax; lssacap is lssa up to T and frozen past it', () => {
    // One head, hd = 4, T = 2: q_1 = e0; k_0 = e0, k_1 = 2 e0 (softplus) or e1 (lssmax).
    const A = new Float64Array(4);
    const rs = new Float64Array(2);
    const q = [1, 0, 0, 0, 1, 0, 0, 0];
    att.attention_probs_forward(A, rs, q, [1, 0, 0, 0, 2, 0, 0, 0], 1, 1, 2, 4, {
      mechanism: 'softplus',
      alibi: false,
      trainLength: 2,
    });
    const sp = (x: number) => Math.log1p(Math.exp(x));
    expect(A[2]).toBeCloseTo(sp(0.5) / (sp(0.5) + sp(1)), 14); // logits 1/2 and 2/2: plain q.k / sqrt(4)
    att.attention_probs_forward(A, rs, q, [1, 0, 0, 0, 0, 1, 0, 0], 1, 1, 2, 4, {
      mechanism: 'lssmax',
      alibi: false,
      trainLength: 2,
    });
    const x0 = (Math.log(4) * Math.log(2)) / (1 + 1e-6); // normalised dot, eps inside both norms
    expect(A[2]).toBeCloseTo(Math.exp(x0) / (Math.exp(x0) + 1), 12);
    expect(rs[1]).toBeCloseTo(Math.log(Math.exp(x0) + 1), 12); // exp: rowstat is the log-sum-exp
    // lssacap against lssa: rows i + 1 <= T agree exactly; a row past T equals lssa with its scale frozen.
    const Tn = 7,
      Ttr = 3,
      hd = 4;
    const qq = randomF64(Tn * hd, 61);
    const kk = randomF64(Tn * hd, 62);
    const run = (mechanism: ProbsParams['mechanism']) => {
      const out = new Float64Array(Tn * Tn);
      att.attention_probs_forward(out, new Float64Array(Tn), qq, kk, 1, 1, Tn, hd, {
        mechanism,
        alibi: false,
        trainLength: Ttr,
      });
      return out;
    };
    const cap = run('lssacap');
    const lssa = run('lssa');
    for (let j = 0; j < Ttr * Tn; j++) expect(cap[j]).toBe(lssa[j]);
    let moved = 0;
    for (let j = Ttr * Tn; j < Tn * Tn; j++) moved = Math.max(moved, Math.abs(cap[j] - lssa[j]));
    expect(moved).toBeGreaterThan(1e-3);
    const i = Tn - 1;
    const n = (x: Float64Array, o: number) => Math.sqrt(dot(x.subarray(o, o + hd), x.subarray(o, o + hd)) + 1e-6);
    const c = Math.log(hd) * Math.log(Ttr);
    const w = [];
    for (let j = 0; j <= i; j++)
      w.push(
        sp(
          (c * dot(qq.subarray(i * hd, i * hd + hd), kk.subarray(j * hd, j * hd + hd))) /
            (n(qq, i * hd) * n(kk, j * hd)),
        ),
      );
    const z = w.reduce((a, b) => a + b, 0);
    for (let j = 0; j <= i; j++) expect(cap[i * Tn + j]).toBeCloseTo(w[j] / z, 13);
  });

  test('taylor: quadratic form equals the feature-map (linear-time) form', () => {
    const B1 = 1,
      H1 = 1,
      T1 = 7,
      hd1 = 4;
    const qq = randomF64(T1 * hd1, 31);
    const kk = randomF64(T1 * hd1, 32);
    const A = new Float64Array(T1 * T1);
    att.attention_probs_forward(A, new Float64Array(T1), qq, kk, B1, H1, T1, hd1, {
      mechanism: 'taylor',
      alibi: false,
      trainLength: 1,
    });
    const feat = (x: Float64Array, o: number) => {
      const f = [1];
      for (let a = 0; a < hd1; a++) f.push(x[o + a] / Math.pow(hd1, 0.25));
      for (let a = 0; a < hd1; a++)
        for (let b = 0; b < hd1; b++) f.push((x[o + a] * x[o + b]) / (Math.SQRT2 * Math.sqrt(hd1)));
      return f;
    };
    for (let i = 0; i < T1; i++) {
      const fq = feat(qq, i * hd1);
      const w = [];
      for (let j = 0; j <= i; j++) w.push(dot(fq, feat(kk, j * hd1)));
      const s = w.reduce((a, b) => a + b, 0);
      for (let j = 0; j <= i; j++) expect(A[i * T1 + j]).toBeCloseTo(w[j] / s, 12);
    }
  });
});

describe('reference rope', () => {
  const BH = 3,
    T = 5,
    hd = 6;
  test('backward matches finite differences', () => {
    const x = randomF64(BH * T * hd, 41);
    const pr = projection(BH * T * hd, 42);
    const loss = (xx: Float64Array) => {
      const o = new Float64Array(xx.length);
      rope_forward(o, xx, BH, T, hd);
      return dot(o, pr);
    };
    const g = new Float64Array(x.length);
    rope_backward(g, pr, BH, T, hd);
    expect(finiteDifferenceError(loss, x, g).worst).toBeLessThan(1e-6);
  });
  test('position 0 is the identity; q_t . k_s depends only on t - s', () => {
    const x = randomF64(hd, 43);
    const y = randomF64(hd, 44);
    const X = new Float64Array(T * hd);
    const Y = new Float64Array(T * hd);
    for (let t = 0; t < T; t++)
      for (let d = 0; d < hd; d++) {
        X[t * hd + d] = x[d];
        Y[t * hd + d] = y[d];
      }
    const RX = new Float64Array(T * hd);
    const RY = new Float64Array(T * hd);
    rope_forward(RX, X, 1, T, hd);
    rope_forward(RY, Y, 1, T, hd);
    for (let d = 0; d < hd; d++) expect(RX[d]).toBe(x[d]);
    const at = (t: number, s: number) => dot(RX.subarray(t * hd, t * hd + hd), RY.subarray(s * hd, s * hd + hd));
    expect(at(3, 1)).toBeCloseTo(at(2, 0), 12);
    expect(at(4, 2)).toBeCloseTo(at(2, 0), 12);
    expect(at(4, 2)).not.toBeCloseTo(at(4, 1), 3);
  });
  test('half-split pairing: element m rotates with m + hd/2 by t * 10000^(-2m/hd)', () => {
    const x = new Float64Array(2 * 4);
    x[4 + 1] = 1; // t = 1, element m = 1 (pairs with 3)
    const o = new Float64Array(8);
    rope_forward(o, x, 1, 2, 4);
    const a = Math.pow(10000, -0.5);
    expect(o[5]).toBeCloseTo(Math.cos(a), 15);
    expect(o[7]).toBeCloseTo(Math.sin(a), 15);
  });
  test('odd head width throws', () => {
    expect(() => rope_forward(new Float64Array(3), [1, 2, 3], 1, 1, 3)).toThrow();
  });
});

describe('reference head split / merge', () => {
  const B = 2,
    T = 3,
    H = 2,
    hd = 4,
    C = H * hd;
  test('split and merge backward match finite differences', () => {
    const qkv = randomF64(B * T * 3 * C, 51);
    const n = B * H * T * hd;
    const pq = projection(n, 52),
      pk = projection(n, 53),
      pv = projection(n, 54);
    const loss = (x: Float64Array) => {
      const q = new Float64Array(n),
        k = new Float64Array(n),
        v = new Float64Array(n);
      qkv_split_forward(q, k, v, x, B, T, H, hd);
      return dot(q, pq) + dot(k, pk) + dot(v, pv);
    };
    const g = new Float64Array(qkv.length);
    qkv_split_backward(g, pq, pk, pv, B, T, H, hd);
    expect(finiteDifferenceError(loss, qkv, g).worst).toBeLessThan(1e-6);

    const y = randomF64(n, 55);
    const po = projection(B * T * C, 56);
    const lossM = (x: Float64Array) => {
      const o = new Float64Array(B * T * C);
      heads_merge_forward(o, x, B, T, H, hd);
      return dot(o, po);
    };
    const dy = new Float64Array(n);
    heads_merge_backward(dy, po, B, T, H, hd);
    expect(finiteDifferenceError(lossM, y, dy).worst).toBeLessThan(1e-6);
  });
  test('layout: head h of token t takes columns h*hd.. of each third', () => {
    const qkv = Float64Array.from({ length: B * T * 3 * C }, (_, i) => i);
    const n = B * H * T * hd;
    const q = new Float64Array(n),
      k = new Float64Array(n),
      v = new Float64Array(n);
    qkv_split_forward(q, k, v, qkv, B, T, H, hd);
    // b=1, h=1, t=2, d=3
    const o = ((1 * H + 1) * T + 2) * hd + 3;
    const src = (1 * T + 2) * 3 * C + 1 * hd + 3;
    expect([q[o], k[o], v[o]]).toEqual([src, src + C, src + 2 * C]);
    const merged = new Float64Array(B * T * C);
    heads_merge_forward(merged, q, B, T, H, hd);
    expect(merged[(1 * T + 2) * C + 1 * hd + 3]).toBe(src);
  });
});
