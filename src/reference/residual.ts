// float64 CPU reference for shaders/residual_forward.wgsl and add_inplace.wgsl (see src/kernels/residual.ts).

/** out = a + b */
export function residual_forward(out: Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/** dst += src */
export function add_inplace(dst: Float64Array, src: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) dst[i] += src[i];
}
