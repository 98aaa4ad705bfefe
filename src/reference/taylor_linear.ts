// float64 CPU reference for `taylor` attention's linear-time causal form
// (shaders/taylor_linear_forward.wgsl, src/kernels/taylor_linear.ts; spec:
// the `taylor` notes in docs/mechanisms.md). Forward only: it is
// used at evaluation, training uses the quadratic kernels.
//
// With s_ij = q_i . k_j / sqrt(hd), phi(s) = 1 + s + s^2/2 (> 0 for every s),
//   A_ij = phi(s_ij) / sum_{j'<=i} phi(s_ij'),   out_i = sum_{j<=i} A_ij v_j.
// The feature map f(x) = [1, x / hd^(1/4), vec(x x^T) / (sqrt(2) sqrt(hd))]
// (F = 1 + hd + hd^2 entries) gives f(q) . f(k) = 1 + s + s^2/2 exactly, so
//   out_i = f(q_i)^T S_i / (f(q_i) . z_i),  S_i = sum_{j<=i} f(k_j) v_j^T,  z_i = sum_{j<=i} f(k_j)
// with running sums: O(T F hd) instead of O(T^2 hd).
// Both forms are here; tests/unit/reweight_scan.test.ts checks they agree.
// q and k arrive after RoPE. ALiBi is refused: its bias -slope (i - j) sits
// inside phi and does not factor into f(q_i) . f(k_j).

function refuseAlibi(alibi: boolean): void {
  if (alibi)
    throw new Error(
      'taylor linear form: ALiBi is not supported (its bias does not factor through the feature map); use the ' +
        'quadratic taylor kernel',
    );
}

/** Feature count F = 1 + hd + hd^2. */
export const taylorFeatureDim = (hd: number): number => 1 + hd + hd * hd;

/** f(x) for the row x[o .. o+hd) into dst [F]. */
export function taylorFeatures(dst: Float64Array, x: ArrayLike<number>, o: number, hd: number): void {
  const c1 = Math.pow(hd, -0.25);
  const c2 = 1 / (Math.SQRT2 * Math.sqrt(hd));
  dst[0] = 1;
  for (let a = 0; a < hd; a++) dst[1 + a] = x[o + a] * c1;
  for (let a = 0; a < hd; a++) for (let b = 0; b < hd; b++) dst[1 + hd + a * hd + b] = x[o + a] * x[o + b] * c2;
}

/** The quadratic form: out [B,H,T,hd] = A v with A_ij = phi(s_ij) / row sum. */
export function taylor_quadratic_forward(
  out: Float64Array,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
  alibi = false,
): void {
  refuseAlibi(alibi);
  const scale = 1 / Math.sqrt(hd);
  const w = new Float64Array(T);
  for (let bh = 0; bh < B * H; bh++) {
    const base = bh * T * hd;
    for (let i = 0; i < T; i++) {
      let den = 0;
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let d = 0; d < hd; d++) s += q[base + i * hd + d] * k[base + j * hd + d];
        s *= scale;
        w[j] = 1 + s + 0.5 * s * s;
        den += w[j];
      }
      for (let d = 0; d < hd; d++) {
        let acc = 0;
        for (let j = 0; j <= i; j++) acc += w[j] * v[base + j * hd + d];
        out[base + i * hd + d] = acc / den;
      }
    }
  }
}

/** The linear-time form (same result): running sums of f(k_j) v_j^T and f(k_j). */
export function taylor_linear_forward(
  out: Float64Array,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
  alibi = false,
): void {
  refuseAlibi(alibi);
  const F = taylorFeatureDim(hd);
  const S = new Float64Array(F * hd);
  const z = new Float64Array(F);
  const fk = new Float64Array(F);
  const fq = new Float64Array(F);
  for (let bh = 0; bh < B * H; bh++) {
    S.fill(0);
    z.fill(0);
    for (let t = 0; t < T; t++) {
      const o = (bh * T + t) * hd;
      taylorFeatures(fk, k, o, hd);
      for (let f = 0; f < F; f++) {
        z[f] += fk[f];
        for (let d = 0; d < hd; d++) S[f * hd + d] += fk[f] * v[o + d];
      }
      taylorFeatures(fq, q, o, hd);
      let den = 0;
      for (let f = 0; f < F; f++) den += fq[f] * z[f];
      for (let d = 0; d < hd; d++) {
        let num = 0;
        for (let f = 0; f < F; f++) num += fq[f] * S[f * hd + d];
        out[o + d] = num / den;
      }
    }
  }
}
