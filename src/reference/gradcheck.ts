// Finite-difference checks of the float64 references' backward passes.
import { Rng } from '../util/random';

/**
 * Central differences of a scalar function at `x`, compared against the
 * analytic gradient. Checks every coordinate (references are tiny) unless
 * `sample` limits it. Returns the worst relative error.
 */
export function finiteDifferenceError(
  f: (x: Float64Array) => number,
  x: Float64Array,
  analytic: ArrayLike<number>,
  opts: { eps?: number; sample?: number; seed?: number } = {},
): { worst: number; at: number; fd: number; an: number } {
  const eps = opts.eps ?? 1e-6;
  const idx: number[] = [];
  if (opts.sample && opts.sample < x.length) {
    const rng = new Rng(opts.seed ?? 1);
    for (let s = 0; s < opts.sample; s++) idx.push(rng.int(x.length));
  } else for (let i = 0; i < x.length; i++) idx.push(i);
  let worst = 0;
  let at = -1;
  let fdAt = 0;
  let anAt = 0;
  for (const i of idx) {
    const old = x[i];
    x[i] = old + eps;
    const fp = f(x);
    x[i] = old - eps;
    const fm = f(x);
    x[i] = old;
    const fd = (fp - fm) / (2 * eps);
    const an = analytic[i];
    const err = Math.abs(fd - an) / Math.max(1e-6, Math.abs(fd) + Math.abs(an));
    if (err > worst) {
      worst = err;
      at = i;
      fdAt = fd;
      anAt = an;
    }
  }
  return { worst, at, fd: fdAt, an: anAt };
}

/** A fixed random projection: loss = sum(out * w) gives dout = w. */
export function projection(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = rng.normal();
  return w;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function randomF64(n: number, seed: number, std = 1): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}
