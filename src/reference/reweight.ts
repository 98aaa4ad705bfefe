// float64 CPU reference for the re-weighting pass (shaders/reweight_*.wgsl,
// src/kernels/reweight.ts; spec: "Re-weighting" in docs/papers.md).
//
// Per row i (0-based; the spec's position is i1 = i + 1) of a row-normalised
// causal A [BH, T, T]:
//   x_j  = i1 * A_ij - o,  o = 0 if i1 <= 3 else 1
//   r_j  = relu(x_j),  m = max_j r_j
//   A'_j = (r_j / m)^p / sum_j' (r_j' / m)^p          (m divides out; no overflow)
//   m == 0 (every r_j = 0): A' = A and the gradient passes through (dA = dA').
// Entries j > i are written 0 in both passes.
//
// Backward (m > 0), with u = r / m, S = sum u^p, g = dA', c = sum_k g_k A'_k:
//   dA'_k/dr_j = p r_j^(p-1) / sum r^p * (delta_kj - A'_k)
//   => dr_j    = (p / (m S)) * u_j^(p-1) * (g_j - c)
//   dA_j       = i1 * dr_j if x_j > 0, else 0.
// Subgradient convention: relu'(0) = 0, so an entry with x_j exactly 0 gets no
// gradient (matters only for p = 1, where u^(p-1) = 1 does not vanish at u = 0).
// The max m carries no gradient: A' is invariant to scaling r.
// Requires p >= 1. Near-uniform rows (m ~ 1e-7) have gradients ~ p / m: the
// function is discontinuous at an exactly uniform row (m = 0 keeps A; m > 0
// sharpens), so huge-but-finite gradients there are the spec's math, not a bug.

function checkP(pExp: number): void {
  if (!(pExp >= 1) || !Number.isFinite(pExp))
    throw new Error(`reweight: exponent p must be a finite number >= 1 (got ${pExp})`);
}

/**
 * out [BH, T, T] = re-weighted att [BH, T, T] (rows sum to 1, causal). `window` > 0:
 * windowed evaluation (src/kernels/attention_fused.ts), i1 counts the keys a row sees.
 */
export function reweight_forward(
  out: Float64Array,
  att: ArrayLike<number>,
  BH: number,
  T: number,
  pExp = 15,
  window = 0,
): void {
  checkP(pExp);
  for (let bh = 0; bh < BH; bh++) {
    for (let i = 0; i < T; i++) {
      const base = (bh * T + i) * T;
      const i1 = window ? Math.min(i + 1, window) : i + 1;
      const o = i1 <= 3 ? 0 : 1;
      let m = 0;
      for (let j = 0; j <= i; j++) m = Math.max(m, i1 * att[base + j] - o);
      for (let j = i + 1; j < T; j++) out[base + j] = 0;
      if (m === 0) {
        for (let j = 0; j <= i; j++) out[base + j] = att[base + j];
        continue;
      }
      let S = 0;
      for (let j = 0; j <= i; j++) {
        const r = i1 * att[base + j] - o;
        const w = r > 0 ? Math.pow(r / m, pExp) : 0;
        out[base + j] = w;
        S += w;
      }
      for (let j = 0; j <= i; j++) out[base + j] /= S;
    }
  }
}

/** datt [BH, T, T] written from dout = dL/d(out); `out` is reweight_forward's result. */
export function reweight_backward(
  datt: Float64Array,
  dout: ArrayLike<number>,
  att: ArrayLike<number>,
  out: ArrayLike<number>,
  BH: number,
  T: number,
  pExp = 15,
): void {
  checkP(pExp);
  for (let bh = 0; bh < BH; bh++) {
    for (let i = 0; i < T; i++) {
      const base = (bh * T + i) * T;
      const i1 = i + 1;
      const o = i1 <= 3 ? 0 : 1;
      let m = 0;
      for (let j = 0; j <= i; j++) m = Math.max(m, i1 * att[base + j] - o);
      for (let j = i + 1; j < T; j++) datt[base + j] = 0;
      if (m === 0) {
        for (let j = 0; j <= i; j++) datt[base + j] = dout[base + j];
        continue;
      }
      let S = 0;
      let c = 0;
      for (let j = 0; j <= i; j++) {
        const r = i1 * att[base + j] - o;
        if (r > 0) S += Math.pow(r / m, pExp);
        c += dout[base + j] * out[base + j];
      }
      const scale = (i1 * pExp) / (m * S);
      for (let j = 0; j <= i; j++) {
        const r = i1 * att[base + j] - o;
        datt[base + j] = r > 0 ? scale * Math.pow(r / m, pExp - 1) * (dout[base + j] - c) : 0;
      }
    }
  }
}
