// float64 CPU reference for shaders/silu_*.wgsl and swiglu_*.wgsl (see src/kernels/silu.ts).

/** Logistic sigmoid, written so neither branch can overflow exp. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** out = inp * sigmoid(inp) */
export function silu_forward(out: Float64Array, inp: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = inp[i] * sigmoid(inp[i]);
}

/** dinp = dout * s * (1 + x * (1 - s)) with s = sigmoid(x) (written). */
export function silu_backward(dinp: Float64Array, inp: ArrayLike<number>, dout: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i];
    const s = sigmoid(x);
    dinp[i] = dout[i] * s * (1 + x * (1 - s));
  }
}

/** out = silu(gate) * up */
export function swiglu_forward(out: Float64Array, gate: ArrayLike<number>, up: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
}

/** dgate = dout * up * silu'(gate), dup = dout * silu(gate) (both written). */
export function swiglu_backward(
  dgate: Float64Array,
  dup: Float64Array,
  gate: ArrayLike<number>,
  up: ArrayLike<number>,
  dout: ArrayLike<number>,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    const s = sigmoid(g);
    dgate[i] = dout[i] * up[i] * s * (1 + g * (1 - s));
    dup[i] = dout[i] * g * s;
  }
}
