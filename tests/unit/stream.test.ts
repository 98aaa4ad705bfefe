import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL } from '../../src/config';
import { streamKind, streamRows } from '../../src/model/stream';
import { dot, finiteDifferenceError, projection, randomF64 } from '../../src/reference/gradcheck';
import { stream_qk_backward, stream_qk_forward } from '../../src/reference/stream';

describe('fixed stream', () => {
  test('stream_qk: batch rows take the stream rows; backward matches finite differences', () => {
    const half = 6;
    const x = randomF64(2 * half, 1);
    const out = new Float64Array(2 * half);
    stream_qk_forward(out, x, half);
    expect(Array.from(out.slice(0, half))).toEqual(Array.from(x.slice(half)));
    expect(Array.from(out.slice(half))).toEqual(Array.from(x.slice(half)));
    const w = projection(2 * half, 2);
    const dx = new Float64Array(2 * half);
    stream_qk_backward(dx, w, half);
    const f = (xx: Float64Array) => {
      const o = new Float64Array(2 * half);
      stream_qk_forward(o, xx, half);
      return dot(o, w);
    };
    expect(finiteDifferenceError(f, x, dx).worst).toBeLessThan(1e-8);
  });
  test('rndembqk rows are prefix-consistent across lengths and seeded', () => {
    const c = { ...DEFAULT_MODEL, nEmbd: 8 };
    const short = streamRows(c, 5);
    const long = streamRows(c, 40);
    expect(Array.from(long.slice(0, short.length))).toEqual(Array.from(short));
    expect(Array.from(streamRows({ ...c, seed: c.seed + 1 }, 5))).not.toEqual(Array.from(short));
    const std = Math.sqrt(long.reduce((a, v) => a + v * v, 0) / long.length);
    expect(std).toBeGreaterThan(c.initStd * 0.7);
    expect(std).toBeLessThan(c.initStd * 1.3);
  });
  test('a model mixing the two streams is rejected', () => {
    expect(streamKind(['softmax', 'rndembqk'])).toBe('rndemb');
    expect(streamKind(['fixedseqqk'])).toBe('fixedseq');
    expect(streamKind(['softmax'])).toBe(null);
    expect(() => streamKind(['rndembqk', 'fixedseqqk'])).toThrow(/cannot mix rndembqk and fixedseqqk/);
  });
});
