// Direct labels' placement (src/report/labels.ts): spread along an axis
// without overlapping, stacked in lines, and the overlap test the figure
// test uses on rendered boxes.
import { describe, expect, test } from 'vitest';
import { overlaps, spread, stackLines, textWidth } from '../../src/report/labels';

describe('labels', () => {
  test('spread keeps labels that fit where they want to be, and pushes crowded ones apart in order', () => {
    expect(
      spread(
        [
          { at: 10, size: 10 },
          { at: 50, size: 10 },
        ],
        0,
        100,
      ),
    ).toEqual([10, 50]);
    const p = spread(
      [
        { at: 50, size: 10 },
        { at: 48, size: 10 },
        { at: 52, size: 10 },
      ],
      0,
      100,
    )!;
    const order = [1, 0, 2].map((i) => p[i]);
    expect(order).toEqual([...order].sort((a, b) => a - b)); // the order of `at` is kept
    for (let i = 1; i < 3; i++) expect(order[i] - order[i - 1]).toBeGreaterThanOrEqual(10 - 1e-9);
    // At the edge: pushed back inside.
    const edge = spread(
      [
        { at: 98, size: 10 },
        { at: 99, size: 10 },
      ],
      0,
      100,
    )!;
    expect(Math.max(...edge) + 5).toBeLessThanOrEqual(100 + 1e-9);
    expect(
      spread(
        [
          { at: 5, size: 60 },
          { at: 6, size: 60 },
        ],
        0,
        100,
      ),
    ).toBeNull(); // cannot fit
  });

  test('stackLines puts overlapping intervals on separate lines and reuses a line when there is room', () => {
    expect(
      stackLines([
        { x0: 0, x1: 100 },
        { x0: 50, x1: 150 },
        { x0: 110, x1: 200 },
        { x0: 60, x1: 70 },
      ]),
    ).toEqual([0, 1, 0, 2]);
  });

  test('overlaps: boxes that share more than the tolerance in both directions', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(overlaps(a, { x: 5, y: 5, width: 10, height: 10 })).toBe(true);
    expect(overlaps(a, { x: 10, y: 0, width: 10, height: 10 })).toBe(false); // touching
    expect(overlaps(a, { x: 0, y: 9.8, width: 10, height: 10 })).toBe(false); // within the tolerance
    expect(textWidth('abcd', 10)).toBeGreaterThan(textWidth('abc', 10));
  });
});
