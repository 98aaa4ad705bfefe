// CPU reference for the non-finite record (src/kernels/nonfinite.ts), computed
// by a plain scan of the gradients and the updated parameters; the record the
// optimiser's passes keep on the GPU must agree with it exactly.

const NONE = -1;

/** True for NaN and +-infinity (an f32 with an all-ones exponent). */
export function isNonFinite(x: number): boolean {
  return !Number.isFinite(x);
}

/**
 * If stats[recordIndex] is 0 and the loss (f32 bits in stats[lossIndex]; an
 * out-of-range lossIndex skips it), or any of a[0..n), b[0..n) is NaN or
 * infinite, records stats[recordIndex..+3) = {step, what, first bad index}
 * with what = 1 (loss), 2 (a) or 3 (b), checked in that order.
 */
export function nonfinite_check(
  stats: Uint32Array,
  recordIndex: number,
  lossIndex: number,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  step: number,
): void {
  if (recordIndex + 2 >= stats.length || stats[recordIndex] !== 0) return;
  const first = (x: ArrayLike<number>): number => {
    for (let i = 0; i < n; i++) if (isNonFinite(x[i])) return i;
    return NONE;
  };
  const loss = lossIndex < stats.length ? new Float32Array(new Uint32Array([stats[lossIndex]]).buffer)[0] : 0;
  let what = 0;
  let index = 0;
  if (isNonFinite(loss)) what = 1;
  else if ((index = first(a)) !== NONE) what = 2;
  else if ((index = first(b)) !== NONE) what = 3;
  if (what === 0) return;
  stats[recordIndex] = step;
  stats[recordIndex + 1] = what;
  stats[recordIndex + 2] = what === 1 ? 0 : index;
}
