// float64 CPU reference for shaders/encoder_*.wgsl (see src/kernels/encoder.ts).

/** out[N, C] = wte[tokens[n], :] for wte [V, C]. */
export function encoder_forward(
  out: Float64Array,
  tokens: ArrayLike<number>,
  wte: ArrayLike<number>,
  N: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const t = tokens[n];
    for (let c = 0; c < C; c++) out[n * C + c] = wte[t * C + c];
  }
}

/** dwte[v, c] += sum over n with tokens[n] == v of dout[n, c] (in increasing n). */
export function encoder_backward(
  dwte: Float64Array,
  dout: ArrayLike<number>,
  tokens: ArrayLike<number>,
  N: number,
  C: number,
  V: number,
): void {
  const acc = new Float64Array(V * C);
  for (let n = 0; n < N; n++) {
    const t = tokens[n];
    if (t >= V) continue;
    for (let c = 0; c < C; c++) acc[t * C + c] += dout[n * C + c];
  }
  for (let i = 0; i < V * C; i++) dwte[i] += acc[i];
}
