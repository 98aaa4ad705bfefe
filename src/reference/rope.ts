// float64 CPU reference for shaders/rope_forward.wgsl / rope_backward.wgsl.
// Half-split ("rotate half") RoPE: element m pairs with m + hd/2 and the pair
// is rotated by t * 10000^(-2m/hd), t the 0-based position within T.

/** Rotation angle of pair m at position t. */
export const ropeAngle = (t: number, m: number, hd: number): number => t * Math.pow(10000, (-2 * m) / hd);

function rotate(out: Float64Array, inp: ArrayLike<number>, BH: number, T: number, hd: number, sign: number): void {
  if (hd % 2 !== 0) throw new Error(`rope: head width ${hd} must be even`);
  const half = hd / 2;
  for (let r = 0; r < BH * T; r++) {
    const t = r % T;
    const o = r * hd;
    for (let m = 0; m < half; m++) {
      const a = ropeAngle(t, m, hd);
      const c = Math.cos(a);
      const s = sign * Math.sin(a);
      const x1 = inp[o + m];
      const x2 = inp[o + m + half];
      out[o + m] = x1 * c - x2 * s;
      out[o + m + half] = x1 * s + x2 * c;
    }
  }
}

/** out[BH,T,hd] = rope(inp). */
export function rope_forward(out: Float64Array, inp: ArrayLike<number>, BH: number, T: number, hd: number): void {
  rotate(out, inp, BH, T, hd, 1);
}

/** dinp written: the rotation is orthogonal, so its transpose rotates by -angle. */
export function rope_backward(dinp: Float64Array, dout: ArrayLike<number>, BH: number, T: number, hd: number): void {
  rotate(dinp, dout, BH, T, hd, -1);
}
