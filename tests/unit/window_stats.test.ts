import { describe, expect, test } from 'vitest';
import { IGNORE } from '../../src/data/synthetic';
import { standardError, WindowStats } from '../../src/eval/window_stats';

describe('standard errors over windows', () => {
  test('sd / sqrt(n) with the n - 1 variance', () => {
    // mean 2, squared deviations 1 + 0 + 1 = 2, variance 1, se 1 / sqrt 3.
    expect(standardError([1, 2, 3])).toBeCloseTo(1 / Math.sqrt(3), 15);
    expect(standardError([5])).toBe(0);
  });

  test('each window is one sample: of its mean, its tail and each bucket; unscored positions skipped', () => {
    const s = new WindowStats(4, 2, 2); // L = 4, T = 2, buckets of 2
    s.add([1, 1, 3, 3], [0, 0, 0, 0]); // mean 2, tail 3, buckets 1 and 3
    s.add([2, 2, 5, 9], [0, 0, 0, IGNORE]); // mean 3, tail 5, buckets 2 and 5
    const e = s.errors();
    const se2 = (a: number, b: number) => Math.abs(a - b) / 2; // two samples: sd = |a - b| / sqrt 2
    expect(e.meanLossSe).toBeCloseTo(se2(2, 3), 15);
    expect(e.tailLossSe).toBeCloseTo(se2(3, 5), 15);
    expect(e.positionsSe).toEqual([se2(1, 2), se2(3, 5)]);
    const one = new WindowStats(4, 2, 2);
    one.add([1, 1, 1, 1], [0, 0, 0, 0]);
    expect(one.errors()).toEqual({}); // one window: no standard error to report
  });
});
