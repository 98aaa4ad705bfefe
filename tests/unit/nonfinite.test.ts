// The non-finite record's CPU reference (src/reference/nonfinite.ts). It has
// no backward (nothing to differentiate), so instead of finite differences
// these pin down its semantics: first index, priority, stickiness.
import { describe, expect, test } from 'vitest';
import { NO_LOSS, readNonfinite } from '../../src/kernels/nonfinite';
import { nonfinite_check } from '../../src/reference/nonfinite';

const R = 4; // record slot in these 8-slot stats
function stats(loss: number): Uint32Array {
  const s = new Uint32Array(8);
  new Float32Array(s.buffer)[0] = loss;
  return s;
}

describe('nonfinite_check (reference)', () => {
  test('nothing non-finite: no record', () => {
    const s = stats(2.5);
    nonfinite_check(s, R, 0, [1, -3e38, 0], [0, 1e-45, 7], 3, 5);
    expect(readNonfinite(s, R)).toBeNull();
  });
  test('first bad index of a, NaN and both infinities', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const s = stats(1);
      nonfinite_check(s, R, 0, [0, 1, bad, bad], [bad, 0, 0, 0], 4, 9);
      expect(readNonfinite(s, R)).toEqual({ step: 9, what: 2, index: 2 });
    }
  });
  test('b only when a is finite; loss before both; lossIndex out of range skips the loss', () => {
    let s = stats(1);
    nonfinite_check(s, R, 0, [0, 0], [0, NaN], 2, 3);
    expect(readNonfinite(s, R)).toEqual({ step: 3, what: 3, index: 1 });
    s = stats(NaN);
    nonfinite_check(s, R, 0, [NaN], [NaN], 1, 3);
    expect(readNonfinite(s, R)).toEqual({ step: 3, what: 1, index: 0 });
    s = stats(NaN);
    nonfinite_check(s, R, NO_LOSS, [0], [0], 1, 3);
    expect(readNonfinite(s, R)).toBeNull();
  });
  test('elements past n are not looked at', () => {
    const s = stats(0);
    nonfinite_check(s, R, 0, [0, NaN], [0, NaN], 1, 1);
    expect(readNonfinite(s, R)).toBeNull();
  });
  test('the record is sticky: a later bad step does not overwrite the first', () => {
    const s = stats(1);
    nonfinite_check(s, R, 0, [0, Infinity], [0, 0], 2, 4);
    nonfinite_check(s, R, 0, [NaN, 0], [0, 0], 2, 5);
    expect(readNonfinite(s, R)).toEqual({ step: 4, what: 2, index: 1 });
  });
});
