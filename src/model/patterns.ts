// Named hybrid patterns (spec: "Hybrids") expand into a per-layer list of
// mechanisms. Layers are numbered 1..n in the spec; the list is 0-based.
import type { Mechanism } from '../config';
import { ConfigError } from '../errors';

export const PATTERNS = [
  'uniform',
  'alternate',
  'quarter',
  'first',
  'last',
  'bilateral',
  'top',
  'bottom',
  'middle',
] as const;
export type Pattern = (typeof PATTERNS)[number];

/**
 * Whether 1-based layer `i` of `n` keeps softmax under `pattern`.
 * Halves and quarters of an odd count round down (the softmax share is never
 * more than the name says): with n = 5, `top` keeps layers 1-2, `bottom`
 * keeps 4-5, `middle` keeps 1 and 5.
 */
export function keepsSoftmax(pattern: Pattern, i: number, n: number): boolean {
  const half = Math.floor(n / 2);
  const quarter = Math.max(1, Math.floor(n / 4));
  switch (pattern) {
    case 'uniform':
      return false;
    case 'alternate':
      return i % 2 === 0;
    case 'quarter':
      return i % 4 === 0;
    case 'first':
      return i === 1;
    case 'last':
      return i === n;
    case 'bilateral':
      return i === 1 || i === n;
    case 'top':
      return i <= half;
    case 'bottom':
      return i > n - half;
    case 'middle':
      return i <= quarter || i > n - quarter;
  }
}

/** The per-layer mechanism list for variant `x` under `pattern` with `n` layers. */
export function expandPattern(pattern: Pattern, x: Mechanism, n: number): Mechanism[] {
  if (!PATTERNS.includes(pattern))
    throw new ConfigError(`unknown pattern '${pattern}' (one of ${PATTERNS.join(', ')})`);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`a pattern needs at least one layer, got ${n}`);
  return Array.from({ length: n }, (_, k) => (keepsSoftmax(pattern, k + 1, n) ? 'softmax' : x));
}
