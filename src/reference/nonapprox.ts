// float64 CPU reference for the `nonapprox` mixer (shaders/nonapprox_*.wgsl,
// src/kernels/nonapprox.ts; formula and choices: "nonapprox" in docs/mechanisms.md).
//
// Inputs per head, all [B, H, T, hd]: q (already through SiLU), k, v.
//   s_j = q_j . k_j / sqrt(hd)                       one scalar per position
//   o_i = sum_{j<=i} exp(s_j) v_j / sum_{j<=i} exp(s_j)
// Forward scan with a running max M_i = max_{j<=i} s_j:
//   Z_i = sum_{j<=i} exp(s_j - M_i),  N_i = sum_{j<=i} exp(s_j - M_i) v_j,  o_i = N_i / Z_i
// stats [B, H, T, 2] = (M_i, Z_i); the backward uses L_i = M_i + ln Z_i
// (= ln D_i, D_i = sum_{j<=i} exp(s_j)), so w_ij = exp(s_j - L_i) is the weight
// of key j in output i.
//
// Backward (g_i = dL/do_i). From o_i = sum_{j<=i} w_ij v_j and
// dw_ij/ds_j' = w_ij (delta_jj' - w_ij') (only j' <= i matter):
//   dv_j = sum_{i>=j} w_ij g_i
//   ds_j = sum_{i>=j} w_ij g_i . (v_j - o_i)
// Both are suffix sums over i >= j. Factor w_ij = exp(s_j - L_j) exp(L_j - L_i);
// L is non-decreasing, so exp(L_j - L_i) = D_j / D_i lies in (0, 1] for i >= j
// and the suffix sums can be carried backwards without overflow:
//   R_j = g_j + exp(L_j - L_{j+1}) R_{j+1}                 (hd-vector)
//   P_j = g_j . o_j + exp(L_j - L_{j+1}) P_{j+1}           (scalar)
//   dv_j = exp(s_j - L_j) R_j
//   ds_j = exp(s_j - L_j) (v_j . R_j - P_j)
//   dq_j = ds_j k_j / sqrt(hd),  dk_j = ds_j q_j / sqrt(hd)
// One reverse pass over T: linear time, like the forward.

/** out [B,H,T,hd] and stats [B,H,T,2] = (running max M_i, denominator Z_i) written. */
export function nonapprox_forward(
  out: Float64Array,
  stats: Float64Array,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  const scale = 1 / Math.sqrt(hd);
  const N = new Float64Array(hd);
  for (let bh = 0; bh < B * H; bh++) {
    let M = -Infinity;
    let Z = 0;
    N.fill(0);
    for (let t = 0; t < T; t++) {
      const o = (bh * T + t) * hd;
      let s = 0;
      for (let c = 0; c < hd; c++) s += q[o + c] * k[o + c];
      s *= scale;
      if (s > M) {
        const f = Math.exp(M - s); // exp(-inf) = 0 on the first step
        Z *= f;
        for (let c = 0; c < hd; c++) N[c] *= f;
        M = s;
      }
      const e = Math.exp(s - M);
      Z += e;
      for (let c = 0; c < hd; c++) {
        N[c] += e * v[o + c];
        out[o + c] = N[c] / Z;
      }
      stats[(bh * T + t) * 2] = M;
      stats[(bh * T + t) * 2 + 1] = Z;
    }
  }
}

/** dq, dk, dv [B,H,T,hd] written (the derivation is in the header). */
export function nonapprox_backward(
  dq: Float64Array,
  dk: Float64Array,
  dv: Float64Array,
  dout: ArrayLike<number>,
  out: ArrayLike<number>,
  stats: ArrayLike<number>,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  const scale = 1 / Math.sqrt(hd);
  const R = new Float64Array(hd);
  for (let bh = 0; bh < B * H; bh++) {
    R.fill(0);
    let P = 0;
    let Lnext = 0;
    for (let t = T - 1; t >= 0; t--) {
      const o = (bh * T + t) * hd;
      const L = stats[(bh * T + t) * 2] + Math.log(stats[(bh * T + t) * 2 + 1]);
      const carry = t === T - 1 ? 0 : Math.exp(L - Lnext);
      let go = 0;
      for (let c = 0; c < hd; c++) {
        R[c] = dout[o + c] + carry * R[c];
        go += dout[o + c] * out[o + c];
      }
      P = go + carry * P;
      let s = 0;
      for (let c = 0; c < hd; c++) s += q[o + c] * k[o + c];
      const w = Math.exp(s * scale - L);
      let vR = 0;
      for (let c = 0; c < hd; c++) {
        dv[o + c] = w * R[c];
        vR += v[o + c] * R[c];
      }
      const ds = w * (vR - P);
      for (let c = 0; c < hd; c++) {
        dq[o + c] = ds * k[o + c] * scale;
        dk[o + c] = ds * q[o + c] * scale;
      }
      Lnext = L;
    }
  }
}
