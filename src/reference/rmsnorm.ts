// float64 CPU reference for shaders/rmsnorm_*.wgsl (see src/kernels/rmsnorm.ts).

export const RMSNORM_EPS = 1e-5;

/** out[N, C] = inp * rstd * weight, rstd[N] = 1 / sqrt(mean(inp^2) + eps). */
export function rmsnorm_forward(
  out: Float64Array,
  rstd: Float64Array,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += inp[n * C + c] * inp[n * C + c];
    const r = 1 / Math.sqrt(ss / C + RMSNORM_EPS);
    rstd[n] = r;
    for (let c = 0; c < C; c++) out[n * C + c] = inp[n * C + c] * r * weight[c];
  }
}

/**
 * dinp = rstd * (g - xhat * mean(g * xhat)) with g = dout * weight, xhat = inp * rstd;
 * written, or added when `accumulate`. dweight += sum_n dout * xhat (always accumulated).
 */
export function rmsnorm_backward(
  dinp: Float64Array,
  dweight: Float64Array,
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  rstd: ArrayLike<number>,
  N: number,
  C: number,
  accumulate: boolean,
): void {
  for (let n = 0; n < N; n++) {
    const r = rstd[n];
    let dot = 0;
    for (let c = 0; c < C; c++) dot += dout[n * C + c] * weight[c] * inp[n * C + c] * r;
    const mean = dot / C;
    for (let c = 0; c < C; c++) {
      const i = n * C + c;
      const d = r * (dout[i] * weight[c] - inp[i] * r * mean);
      dinp[i] = accumulate ? dinp[i] + d : d;
    }
  }
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) s += dout[n * C + c] * inp[n * C + c] * rstd[n];
    dweight[c] += s;
  }
}
