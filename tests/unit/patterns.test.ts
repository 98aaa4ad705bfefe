import { describe, expect, test } from 'vitest';
import { expandPattern, PATTERNS } from '../../src/model/patterns';

const S = 'softmax';
const X = 'mlp';

describe('hybrid patterns', () => {
  test('the spec table at n = 8', () => {
    const n = 8;
    const keep = (p: (typeof PATTERNS)[number]) =>
      expandPattern(p, X, n)
        .map((m, i) => (m === S ? i + 1 : 0))
        .filter(Boolean);
    expect(keep('uniform')).toEqual([]);
    expect(keep('alternate')).toEqual([2, 4, 6, 8]);
    expect(keep('quarter')).toEqual([4, 8]);
    expect(keep('first')).toEqual([1]);
    expect(keep('last')).toEqual([8]);
    expect(keep('bilateral')).toEqual([1, 8]);
    expect(keep('top')).toEqual([1, 2, 3, 4]);
    expect(keep('bottom')).toEqual([5, 6, 7, 8]);
    expect(keep('middle')).toEqual([1, 2, 7, 8]);
  });
  test('odd layer counts round the softmax share down', () => {
    expect(expandPattern('top', X, 5)).toEqual([S, S, X, X, X]);
    expect(expandPattern('bottom', X, 5)).toEqual([X, X, X, S, S]);
    expect(expandPattern('middle', X, 5)).toEqual([S, X, X, X, S]);
    expect(expandPattern('alternate', X, 3)).toEqual([X, S, X]);
  });
  test('every pattern gives n layers of softmax or the variant', () => {
    for (const p of PATTERNS)
      for (const n of [1, 2, 4, 7, 12]) {
        const l = expandPattern(p, 'taylor', n);
        expect(l).toHaveLength(n);
        for (const m of l) expect([S, 'taylor']).toContain(m);
      }
  });
  test('bad input is a clear error', () => {
    expect(() => expandPattern('sideways' as never, X, 4)).toThrow(/unknown pattern 'sideways'/);
    expect(() => expandPattern('uniform', X, 0)).toThrow(/at least one layer/);
  });
});
