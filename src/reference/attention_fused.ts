// float64 references of the fused evaluation kernels (src/kernels/attention_fused.ts),
// same names and argument order minus the Program. They are built the slow way, from
// the full weights A [B,H,L,L] of the reference chain (attention_probs_forward, then
// reweight_forward when p is given), so they check the streaming kernels' algebra.
// params.window (windowed evaluation) is honoured by both links of that chain.
//
// Diagnostics per row i (0-based), over keys j <= i with distance d = i - j:
//   [0] entropy  -sum_j A_ij log A_ij  (0 log 0 = 0)
//   [1] sink     A_i0
//   [2] local    sum_{d <= 3} A_ij
//   [3] distance sum_j A_ij d
// For sigmoid / relu A is the raw, unnormalised weight, and the same sums are taken.
//
// Map of head bh: bucket r of R holds indices [floor(r L / R), floor((r+1) L / R));
// map[r, c] = mean of A_ij over i in row bucket r, j in column bucket c (entries above
// the diagonal count as 0); an empty bucket (R > L) gives 0.
import { attention_probs_forward, attention_values_forward, type ProbsParams } from './attention';
import { reweight_forward } from './reweight';

/** The weights actually used, A [B,H,L,L]: probs, then re-weighting when reweightP is a number. */
export function attention_fused_weights(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
): Float64Array {
  const att = new Float64Array(B * H * L * L);
  attention_probs_forward(att, new Float64Array(B * H * L), q, k, B, H, L, hd, params);
  if (reweightP === null) return att;
  const rw = new Float64Array(att.length);
  reweight_forward(rw, att, B * H, L, reweightP, params.window ?? 0);
  return rw;
}

/** out [B,H,L,hd] = A . v with A from attention_fused_weights (the unfused chain). */
export function attention_fused_forward(
  out: Float64Array,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
): void {
  attention_values_forward(out, attention_fused_weights(q, k, B, H, L, hd, params, reweightP), v, B, H, L, hd);
}

/** diag [BH, L, 4] from weights A [BH, L, L] (row i uses columns j <= i). */
export function diagnostics_from_weights(diag: Float64Array, A: ArrayLike<number>, BH: number, L: number): void {
  for (let bh = 0; bh < BH; bh++)
    for (let i = 0; i < L; i++) {
      const ao = (bh * L + i) * L;
      let ent = 0,
        near = 0,
        dist = 0;
      for (let j = 0; j <= i; j++) {
        const a = A[ao + j];
        if (a > 0) ent -= a * Math.log(a);
        if (i - j <= 3) near += a;
        dist += a * (i - j);
      }
      const o = (bh * L + i) * 4;
      diag[o] = ent;
      diag[o + 1] = A[ao];
      diag[o + 2] = near;
      diag[o + 3] = dist;
    }
}

/** First index of bucket c when L indices are split into R buckets. */
export const bucketStart = (c: number, L: number, R: number): number => Math.floor((c * L) / R);

/** map [R, R] of head bh from weights A [BH, L, L]. */
export function map_from_weights(map: Float64Array, A: ArrayLike<number>, bh: number, L: number, R: number): void {
  for (let r = 0; r < R; r++) {
    const i0 = bucketStart(r, L, R),
      i1 = bucketStart(r + 1, L, R);
    for (let c = 0; c < R; c++) {
      const j0 = bucketStart(c, L, R),
        j1 = bucketStart(c + 1, L, R);
      const n = (i1 - i0) * (j1 - j0);
      let s = 0;
      for (let i = i0; i < i1; i++) for (let j = j0; j < Math.min(j1, i + 1); j++) s += A[(bh * L + i) * L + j];
      map[r * R + c] = n > 0 ? s / n : 0;
    }
  }
}

/** diag [B,H,L,4] (FUSED_DIAGNOSTICS order) of the weights actually used. */
export function attention_fused_diagnostics(
  diag: Float64Array,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
): void {
  diagnostics_from_weights(diag, attention_fused_weights(q, k, B, H, L, hd, params, reweightP), B * H, L);
}

/** map [R,R] of head (b, h). */
export function attention_fused_map(
  map: Float64Array,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  b: number,
  h: number,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
  R: number,
): void {
  map_from_weights(map, attention_fused_weights(q, k, B, H, L, hd, params, reweightP), b * H + h, L, R);
}
