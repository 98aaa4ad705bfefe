// float64 CPU reference for the head split / merge permutations
// (shaders/qkv_split_*.wgsl, shaders/heads_merge_*.wgsl). C = H * hd.

/** qkv [B,T,3C] = [q | k | v] per token, head h at columns h*hd.. -> q, k, v [B,H,T,hd]. */
export function qkv_split_forward(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  qkv: ArrayLike<number>,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const C = H * hd;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < hd; d++) {
          const o = ((b * H + h) * T + t) * hd + d;
          const src = (b * T + t) * 3 * C + h * hd + d;
          q[o] = qkv[src];
          k[o] = qkv[src + C];
          v[o] = qkv[src + 2 * C];
        }
}

/** dqkv [B,T,3C] written from dq, dk, dv [B,H,T,hd]. */
export function qkv_split_backward(
  dqkv: Float64Array,
  dq: ArrayLike<number>,
  dk: ArrayLike<number>,
  dv: ArrayLike<number>,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const C = H * hd;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < hd; d++) {
          const o = ((b * H + h) * T + t) * hd + d;
          const dst = (b * T + t) * 3 * C + h * hd + d;
          dqkv[dst] = dq[o];
          dqkv[dst + C] = dk[o];
          dqkv[dst + 2 * C] = dv[o];
        }
}

/** y [B,H,T,hd] -> out [B,T,C]. */
export function heads_merge_forward(
  out: Float64Array,
  y: ArrayLike<number>,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const C = H * hd;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < hd; d++) out[(b * T + t) * C + h * hd + d] = y[((b * H + h) * T + t) * hd + d];
}

/** dy [B,H,T,hd] written from dout [B,T,C]. */
export function heads_merge_backward(
  dy: Float64Array,
  dout: ArrayLike<number>,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const C = H * hd;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < hd; d++) dy[((b * H + h) * T + t) * hd + d] = dout[(b * T + t) * C + h * hd + d];
}
