// The sampler's arithmetic (src/sample/sampler.ts) against a plain CPU
// reference written here: the distribution, exact draws from the seeded PRNG,
// frequencies over many draws, top-k, temperature 0 and ties.
import { describe, expect, test } from 'vitest';
import { argmax, checkSampling, pickToken, samplingDistribution, topPredictions } from '../../src/sample/sampler';
import { Rng } from '../../src/util/random';

const LOGITS = [0.3, -1.2, 2.5, 0.9, 2.5, -0.4, 1.7];

/** Reference: softmax(l / tau) over the k largest logits (ties by lower id), written out longhand. */
function reference(l: number[], tau: number, k: number): number[] {
  const order = l.map((x, i) => [x, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const kept = new Set(order.slice(0, k || l.length).map((e) => e[1]));
  const w = l.map((x, i) => (kept.has(i) ? Math.exp(x / tau) : 0));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
}

describe('sampler', () => {
  test('the distribution is softmax(logits / temperature) over the top k', () => {
    for (const [tau, k] of [
      [1, 0],
      [0.5, 0],
      [2, 3],
      [0.8, 1],
      [1.3, 2], // the two tied 2.5s
    ]) {
      const got = samplingDistribution(LOGITS, { temperature: tau, topK: k });
      const want = reference(LOGITS, tau, k);
      for (let i = 0; i < LOGITS.length; i++) expect(got[i]).toBeCloseTo(want[i], 14);
    }
    // Top 2 with a tie at the top keeps both tied ids, and nothing else.
    const p = samplingDistribution(LOGITS, { temperature: 1, topK: 2 });
    expect([...p].map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([2, 4]);
  });

  test('a draw is the inverse CDF at the seeded uniform number, in id order', () => {
    const o = { temperature: 0.7, topK: 4 };
    const want = reference(LOGITS, o.temperature, o.topK);
    const rng = new Rng(11);
    const mirror = new Rng(11);
    for (let n = 0; n < 200; n++) {
      const u = mirror.next();
      let acc = 0;
      let expected = -1;
      for (let i = 0; i < want.length && expected < 0; i++) if (want[i] > 0 && u < (acc += want[i])) expected = i;
      expect(pickToken(LOGITS, o, rng)).toBe(expected);
    }
  });

  test('frequencies over many draws follow the distribution (within 4.5 standard errors)', () => {
    const o = { temperature: 1.4, topK: 5 };
    const want = reference(LOGITS, o.temperature, o.topK);
    const n = 40_000;
    const counts = new Array(LOGITS.length).fill(0);
    const rng = new Rng(3);
    for (let i = 0; i < n; i++) counts[pickToken(LOGITS, o, rng)]++;
    for (let i = 0; i < LOGITS.length; i++) {
      const se = Math.sqrt((want[i] * (1 - want[i])) / n);
      expect(Math.abs(counts[i] / n - want[i])).toBeLessThanOrEqual(4.5 * se);
      if (want[i] === 0) expect(counts[i]).toBe(0);
    }
  });

  test('temperature 0 is argmax (lowest id on ties) and draws nothing from the stream', () => {
    expect(argmax(LOGITS)).toBe(2);
    const rng = new Rng(5);
    expect(pickToken(LOGITS, { temperature: 0, topK: 0 }, rng)).toBe(2);
    expect(rng.next()).toBe(new Rng(5).next());
    expect([...samplingDistribution(LOGITS, { temperature: 0, topK: 3 })]).toEqual([0, 0, 1, 0, 0, 0, 0]);
  });

  test('top predictions: the model distribution at temperature 1, largest first', () => {
    const top = topPredictions(LOGITS, 3);
    const want = reference(LOGITS, 1, 0);
    expect(top.map((t) => t.token)).toEqual([2, 4, 6]);
    for (const t of top) expect(t.p).toBeCloseTo(want[t.token], 14);
  });

  test('bad settings are refused', () => {
    expect(() => checkSampling({ temperature: -1, topK: 0 })).toThrow(/temperature/);
    expect(() => checkSampling({ temperature: Number.NaN, topK: 0 })).toThrow(/temperature/);
    expect(() => checkSampling({ temperature: 1, topK: 1.5 })).toThrow(/top-k/);
  });
});
