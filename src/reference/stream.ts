// float64 reference of src/kernels/stream.ts.

export function stream_qk_forward(out: Float64Array, x: ArrayLike<number>, half: number): void {
  for (let i = 0; i < half; i++) out[i] = x[i + half];
  for (let i = half; i < 2 * half; i++) out[i] = x[i];
}

export function stream_qk_backward(dx: Float64Array, dout: ArrayLike<number>, half: number): void {
  for (let i = 0; i < half; i++) dx[i] = 0;
  for (let i = half; i < 2 * half; i++) dx[i] = dout[i] + dout[i - half];
}
