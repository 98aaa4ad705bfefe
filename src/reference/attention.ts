// float64 CPU reference for the normalised attention family (see the choices
// block at the top of src/kernels/attention.ts, and docs/papers.md).
// Written straight from the math (logits recomputed in the backward), not as a
// mirror of the GPU kernels, so the finite-difference test checks the formulas.
import type { NormalisedMechanism, ProbsParams } from '../kernels/attention';
import { KERNEL_FORM, type PhiMechanism } from '../kernels/attention_constants';

export type { NormalisedMechanism, ProbsParams } from '../kernels/attention';

/** eps inside the L2 norm of lssa: ||x|| = sqrt(sum x^2 + LSSA_EPS). */
export const LSSA_EPS = 1e-6;

const phiOf = (m: NormalisedMechanism): PhiMechanism => KERNEL_FORM[m].phi;
/** exp as phi (softmax, lssmax): the row max is subtracted and rowstat is a log-sum-exp. */
const isExp = (m: NormalisedMechanism): boolean => phiOf(m) === 'softmax';
export const isNormalised = (m: NormalisedMechanism): boolean => ['softmax', 'lssa', 'taylor'].includes(phiOf(m));

/** ALiBi slope of 0-based head h0 of H: 2^(-8 (h0+1) / H). */
export const alibiSlope = (h0: number, H: number): number => Math.pow(2, (-8 * (h0 + 1)) / H);

function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}
function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Per-(bh, row) context: scale c_i, and the query norm (1 unless q and k are L2-normalised). */
interface Row {
  c: number;
  nq: number;
}

/** c_i of 0-based row i: 1/sqrt(hd), ln(hd) ln(i + 1), or ln(hd) ln(min(i + 1, T)) (lssacap). */
function scaleOf(params: ProbsParams, i: number, hd: number): number {
  switch (KERNEL_FORM[params.mechanism].lenScale) {
    case 0:
      return 1 / Math.sqrt(hd);
    case 1:
      return Math.log(hd) * Math.log(i + 1);
    case 2:
      return Math.log(hd) * Math.log(Math.min(i + 1, params.trainLength));
  }
}

function rowOf(params: ProbsParams, q: ArrayLike<number>, qo: number, i: number, hd: number): Row {
  const c = scaleOf(params, i, hd);
  if (!KERNEL_FORM[params.mechanism].qkNorm) return { c, nq: 1 };
  let s = 0;
  for (let d = 0; d < hd; d++) s += q[qo + d] * q[qo + d];
  return { c, nq: Math.sqrt(s + LSSA_EPS) };
}

function keyNorm(params: ProbsParams, k: ArrayLike<number>, ko: number, hd: number): number {
  if (!KERNEL_FORM[params.mechanism].qkNorm) return 1;
  let s = 0;
  for (let d = 0; d < hd; d++) s += k[ko + d] * k[ko + d];
  return Math.sqrt(s + LSSA_EPS);
}

/** x_ij = c_i * s_ij + b_ij, with s the (normalised, for lssa) dot product. */
function logit(
  params: ProbsParams,
  q: ArrayLike<number>,
  qo: number,
  k: ArrayLike<number>,
  ko: number,
  hd: number,
  row: Row,
  nk: number,
  slope: number,
  i: number,
  j: number,
): number {
  let s = 0;
  for (let d = 0; d < hd; d++) s += q[qo + d] * k[ko + d];
  let x = (row.c * s) / (row.nq * nk);
  if (params.alibi) x -= slope * (i - j);
  return x;
}

function phi(m: NormalisedMechanism, x: number, i: number, lnTrain: number): number {
  switch (phiOf(m)) {
    case 'softmax':
      return Math.exp(x);
    case 'lssa':
      return softplus(x);
    case 'taylor':
      return 1 + x + 0.5 * x * x;
    case 'sigmoid':
      return sigmoid(x - lnTrain);
    case 'relu':
      return Math.max(x, 0) / (i + 1);
  }
}

function dphi(m: NormalisedMechanism, x: number, i: number, lnTrain: number): number {
  switch (phiOf(m)) {
    case 'softmax':
      return Math.exp(x);
    case 'lssa':
      return sigmoid(x);
    case 'taylor':
      return 1 + x;
    case 'sigmoid': {
      const s = sigmoid(x - lnTrain);
      return s * (1 - s);
    }
    case 'relu':
      return x > 0 ? 1 / (i + 1) : 0;
  }
}

/**
 * att[B,H,T,T] = probs(q, k) (causal, zero above the diagonal);
 * rowstat[B,H,T]: exp (softmax, lssmax): log-sum-exp of the row's logits; softplus, taylor: the
 * l1 normaliser sum_j phi; sigmoid, relu: the row sum of att (diagnostic only).
 */
export function attention_probs_forward(
  att: Float64Array,
  rowstat: Float64Array,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
  params: ProbsParams,
): void {
  const m = params.mechanism;
  const lnTrain = Math.log(params.trainLength);
  const x = new Float64Array(T);
  for (let bh = 0; bh < B * H; bh++) {
    const slope = alibiSlope(bh % H, H);
    for (let i = 0; i < T; i++) {
      const qo = (bh * T + i) * hd;
      // Windowed: row i sees keys j0..i and counts n = i + 1 - j0 of them where a term counts keys.
      const j0 = params.window ? Math.max(0, i + 1 - params.window) : 0;
      const n1 = i - j0; // the 0-based position of a row that sees that many keys
      const row = rowOf(params, q, qo, n1, hd);
      x.fill(0);
      let mx = -Infinity;
      for (let j = j0; j <= i; j++) {
        const ko = (bh * T + j) * hd;
        x[j] = logit(params, q, qo, k, ko, hd, row, keyNorm(params, k, ko, hd), slope, i, j);
        mx = Math.max(mx, x[j]);
      }
      const shift = isExp(m) ? mx : 0;
      let sum = 0;
      for (let j = j0; j <= i; j++) {
        x[j] = phi(m, x[j] - shift, n1, lnTrain);
        sum += x[j];
      }
      const norm = isNormalised(m) ? sum : 1;
      const ao = (bh * T + i) * T;
      for (let j = 0; j < T; j++) att[ao + j] = j <= i ? x[j] / norm : 0;
      rowstat[bh * T + i] = isExp(m) ? mx + Math.log(sum) : sum;
    }
  }
}

/** dq, dk [B,H,T,hd] written, from datt [B,H,T,T] (entries above the diagonal ignored). */
export function attention_probs_backward(
  dq: Float64Array,
  dk: Float64Array,
  datt: ArrayLike<number>,
  att: ArrayLike<number>,
  rowstat: ArrayLike<number>,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
  params: ProbsParams,
): void {
  if (params.window) throw new Error('attention_probs_backward: windowed attention is evaluation-only');
  const m = params.mechanism;
  const lnTrain = Math.log(params.trainLength);
  const qkNorm = KERNEL_FORM[m].qkNorm;
  // Gradients w.r.t. the normalised vectors (qkNorm) or the raw ones (others).
  const gq = new Float64Array(B * H * T * hd);
  const gk = new Float64Array(B * H * T * hd);
  for (let bh = 0; bh < B * H; bh++) {
    const slope = alibiSlope(bh % H, H);
    for (let i = 0; i < T; i++) {
      const qo = (bh * T + i) * hd;
      const ao = (bh * T + i) * T;
      const row = rowOf(params, q, qo, i, hd);
      // D_i = sum_j A_ij dA_ij: the l1 normalisation's share of the gradient.
      let D = 0;
      if (isNormalised(m)) for (let j = 0; j <= i; j++) D += att[ao + j] * datt[ao + j];
      // For exp phi is exp of the shifted logit; its l1 normaliser in those units is exp(rowstat - max).
      let S = 1;
      let mx = 0;
      if (isExp(m)) {
        mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          const ko = (bh * T + j) * hd;
          mx = Math.max(mx, logit(params, q, qo, k, ko, hd, row, keyNorm(params, k, ko, hd), slope, i, j));
        }
        S = Math.exp(rowstat[bh * T + i] - mx);
      } else if (isNormalised(m)) S = rowstat[bh * T + i];
      for (let j = 0; j <= i; j++) {
        const ko = (bh * T + j) * hd;
        const nk = keyNorm(params, k, ko, hd);
        const x = logit(params, q, qo, k, ko, hd, row, nk, slope, i, j) - mx;
        const dx = (dphi(m, x, i, lnTrain) / S) * (datt[ao + j] - D);
        const ds = dx * row.c; // d loss / d s_ij
        for (let d = 0; d < hd; d++) {
          gq[qo + d] += ds * (k[ko + d] / nk);
          gk[ko + d] += ds * (q[qo + d] / row.nq);
        }
      }
    }
  }
  if (!qkNorm) {
    dq.set(gq);
    dk.set(gk);
    return;
  }
  // Through x^ = x / sqrt(|x|^2 + eps): dx = (g - x^ (x^ . g)) / n.
  const unnorm = (out: Float64Array, g: Float64Array, x: ArrayLike<number>) => {
    for (let r = 0; r < B * H * T; r++) {
      const o = r * hd;
      let xx = 0;
      let xg = 0;
      for (let d = 0; d < hd; d++) {
        xx += x[o + d] * x[o + d];
        xg += x[o + d] * g[o + d];
      }
      const n2 = xx + LSSA_EPS;
      const n = Math.sqrt(n2);
      for (let d = 0; d < hd; d++) out[o + d] = (g[o + d] - (x[o + d] * xg) / n2) / n;
    }
  };
  unnorm(dq, gq, q);
  unnorm(dk, gk, k);
}

/** out[B,H,T,hd] = att . v (causal rows of att). */
export function attention_values_forward(
  out: Float64Array,
  att: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  for (let bh = 0; bh < B * H; bh++)
    for (let i = 0; i < T; i++)
      for (let d = 0; d < hd; d++) {
        let s = 0;
        for (let j = 0; j <= i; j++) s += att[(bh * T + i) * T + j] * v[(bh * T + j) * hd + d];
        out[(bh * T + i) * hd + d] = s;
      }
}

/** datt[B,H,T,T] written (zero above the diagonal), dv[B,H,T,hd] written. */
export function attention_values_backward(
  datt: Float64Array,
  dv: Float64Array,
  dout: ArrayLike<number>,
  att: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  for (let bh = 0; bh < B * H; bh++) {
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++) {
        let s = 0;
        if (j <= i) for (let d = 0; d < hd; d++) s += dout[(bh * T + i) * hd + d] * v[(bh * T + j) * hd + d];
        datt[(bh * T + i) * T + j] = s;
      }
    for (let j = 0; j < T; j++)
      for (let d = 0; d < hd; d++) {
        let s = 0;
        for (let i = j; i < T; i++) s += att[(bh * T + i) * T + j] * dout[(bh * T + i) * hd + d];
        dv[(bh * T + j) * hd + d] = s;
      }
  }
}
