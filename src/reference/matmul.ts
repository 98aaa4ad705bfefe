// float64 CPU reference for shaders/matmul.wgsl (see src/kernels/matmul.ts).

/** out[N, OC] = inp[N, IC] . weight[OC, IC]^T */
export function matmul_forward(
  out: Float64Array,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  N: number,
  IC: number,
  OC: number,
): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OC; o++) {
      let s = 0;
      for (let i = 0; i < IC; i++) s += inp[n * IC + i] * weight[o * IC + i];
      out[n * OC + o] = s;
    }
  }
}

/** dinp written, dweight accumulated. */
export function matmul_backward(
  dinp: Float64Array | null,
  dweight: Float64Array,
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  N: number,
  IC: number,
  OC: number,
): void {
  if (dinp) {
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < IC; i++) {
        let s = 0;
        for (let o = 0; o < OC; o++) s += dout[n * OC + o] * weight[o * IC + i];
        dinp[n * IC + i] = s;
      }
    }
  }
  for (let o = 0; o < OC; o++) {
    for (let i = 0; i < IC; i++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += dout[n * OC + o] * inp[n * IC + i];
      dweight[o * IC + i] += s;
    }
  }
}
