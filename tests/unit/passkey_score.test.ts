import { expect, test } from 'vitest';
import { countCorrect } from '../../src/eval/passkey';

const I = 0xffffffff;

test('a passkey trial counts only when every scored digit is the argmax', () => {
  const L = 3,
    V = 4;
  // Two examples; scored positions 1 and 2 in each.
  const ex = [{ target: Uint32Array.of(I, 2, 3) }, { target: Uint32Array.of(I, 1, 1) }];
  const logits = new Float32Array(2 * L * V);
  const set = (i: number, t: number, v: number) => (logits[(i * L + t) * V + v] = 5);
  set(0, 0, 0); // unscored position: ignored whatever it predicts
  set(0, 1, 2);
  set(0, 2, 3); // example 0: both right
  set(1, 1, 1);
  set(1, 2, 2); // example 1: second digit wrong
  expect(countCorrect(logits, ex, L, V)).toBe(1);
  set(1, 2, 1); // now a tie between 1 and 2 at position 2: the lower id wins, so it is right
  expect(countCorrect(logits, ex, L, V)).toBe(2);
});
