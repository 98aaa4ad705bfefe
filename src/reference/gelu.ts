// float64 CPU reference for shaders/gelu_*.wgsl (see src/kernels/gelu.ts).
// GELU with GPT-2's tanh approximation.

const S = Math.sqrt(2 / Math.PI);
const K = 0.044715;

export function gelu_forward(out: Float64Array, inp: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i];
    out[i] = 0.5 * x * (1 + Math.tanh(S * (x + K * x * x * x)));
  }
}

/** dinp = dout * gelu'(inp) (written). */
export function gelu_backward(dinp: Float64Array, inp: ArrayLike<number>, dout: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i];
    const t = Math.tanh(S * (x + K * x * x * x));
    const dt = (1 - t * t) * S * (1 + 3 * K * x * x);
    dinp[i] = dout[i] * (0.5 * (1 + t) + 0.5 * x * dt);
  }
}
