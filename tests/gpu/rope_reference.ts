// float64 RoPE of q and k for the attention tests' reference chains (identity without RoPE).
import { rope_forward } from '../../src/reference/rope';

export function ropedReference(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  rope: boolean,
  BH: number,
  L: number,
  hd: number,
): [ArrayLike<number>, ArrayLike<number>] {
  if (!rope) return [q, k];
  const a = new Float64Array(q.length),
    b = new Float64Array(k.length);
  rope_forward(a, q, BH, L, hd);
  rope_forward(b, k, BH, L, hd);
  return [a, b];
}
