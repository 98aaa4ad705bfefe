// The report's prose numbers: each marker is computed from per-seed values, rounded once; comparisons follow the one
// rule (paired by seed, "lower" only when lower on every seed); a marker that cannot be computed is named.
import { describe, expect, test } from 'vitest';
import type { ResultsDoc } from '../../src/eval/results';
import { pairBySeed, verdict, verdictPhrase } from '../../src/report/compare';
import { evaluate, fillInline, fixed, markersOf } from '../../src/report/inline';
import { resolveRows } from '../../src/report/measures';
import { fakeDoc } from './app_fixture';

// fakeDoc: meanLoss = base + 0.1 log2 f + seed/1000; positions [base, base+0.1, base+0.2, base+0.3] at every
// length; trained at T = 16, factors 1, 2, 4 (the longest is 64 positions, buckets of 16).
const results = new Map([
  ['a', [1, 2, 3].map((seed) => fakeDoc('softmax', { seed })).concat([fakeDoc('lssa', { base: 2.5, seed: 1 })])],
  ['b', [1, 2, 3].map((seed) => fakeDoc('mlp', { seed, base: 2.9 }))],
]);
const ev = (e: string) => evaluate(results, e);

describe('rounding and the comparison rule', () => {
  test('rounds once from the raw value; a zero prints unsigned', () => {
    // 1.1049 is 1.10: rounding a rounded 1.105 again would give 1.11.
    expect(fixed(1.1049, '2')).toBe('1.10');
    expect(fixed(0.144, '+2')).toBe('+0.14');
    expect(fixed(-0.0004, '+3')).toBe('0.000');
    expect(fixed(-0.35, '+2')).toBe('-0.35');
    expect(() => fixed(Number.NaN)).toThrow(/not finite/);
  });

  test('lower or higher only on every seed at the printed precision, else not separable', () => {
    expect(verdict([-0.2, -0.01, -0.3], 2)).toBe('lower');
    expect(verdict([0.1, 0.2], 2)).toBe('higher');
    expect(verdict([-0.026, 0.374, -0.119], 3)).toBe('not separable');
    // A difference that prints as zero counts as neither.
    expect(verdict([-0.2, -0.004], 2)).toBe('not separable');
    expect(verdict([], 2)).toBe('not separable');
    expect(verdictPhrase('not separable', 3)).toBe('not separable at 3 seeds');
    expect(verdictPhrase('lower', 3)).toBe('lower on every seed');
  });

  test('pairs by seed, leaving out seeds one run lacks', () => {
    const p = pairBySeed(
      new Map([
        [3, 1],
        [1, 5],
        [2, 2],
      ]),
      new Map([
        [1, 4],
        [3, 3],
      ]),
    );
    expect(p).toEqual({ seeds: [1, 3], diffs: [1, -2] });
  });
});

describe('operations', () => {
  test('mean, per seed, range, across presets', () => {
    expect(ev('mean;a:softmax;1x;3')).toBe('3.002');
    expect(ev('seeds;a:softmax;4x;3')).toBe('3.201, 3.202, 3.203');
    expect(ev('range;a:softmax&lssa;1x;3')).toBe('2.501-3.003');
    expect(ev('means;a:*;1x;2')).toBe('2.50-3.00');
    // Every seed at 3.20 to two decimals: one value, not "3.20-3.20".
    expect(ev('range;a:softmax;4x;2')).toBe('3.20');
    expect(ev('count;a,b:*')).toBe('7');
    expect(ev('base;a;unigram;1')).toBe('3.2');
  });

  test('measures: ratio per seed, differences of measures, per-position buckets', () => {
    const r = (s: number) => (3.2 + s / 1000) / (3 + s / 1000);
    expect(ev('mean;a:softmax;ratio;6')).toBe(fixed((r(1) + r(2) + r(3)) / 3, '6'));
    expect(ev('mean;a:softmax;4x - 1x;3')).toBe('0.200');
    // The longest length (64) has buckets of 16: positions 16-47 are the 2nd and 3rd, 3.1 and 3.2.
    expect(ev('mean;a:softmax;pos 16-47;2')).toBe('3.15');
    expect(() => ev('mean;a:softmax;pos 10-47;2')).toThrow(/not whole buckets/);
    // fakeDoc trains 20 steps of 4 x 16.
    expect(ev('mean;a:softmax;training characters;0')).toBe('1280');
  });

  test('passkey accuracy at a multiple of T, per seed; a run without one says so', () => {
    // fakeDoc trains at T = 16: 16 and 64 are 1x and 4x. Accuracy falls with length and differs by seed.
    const pk = (seed: number): ResultsDoc => ({
      ...fakeDoc('lssar', { seed }),
      passkey: {
        trainedOn: 'passkey',
        points: [
          { length: 16, accuracy: seed / 4, trials: 8 },
          { length: 64, accuracy: 0, trials: 8 },
        ],
      },
    });
    const p = new Map([['pk', [1, 2, 3].map(pk)]]);
    expect(evaluate(p, 'seeds;pk:lssar;passkey 1x;2')).toBe('0.25, 0.50, 0.75');
    expect(evaluate(p, 'range;pk:lssar;passkey 4x;2')).toBe('0.00');
    expect(() => evaluate(p, 'mean;pk:lssar;passkey 2x;2')).toThrow(/has no passkey accuracy at 2x/);
    expect(() => ev('mean;a:softmax;passkey 1x;2')).toThrow(/has no passkey accuracy at 1x/);
  });

  test('paired differences, their standard error and the rule in words', () => {
    // softmax - mlp = 0.1 on every seed.
    expect(ev('diffs;a:softmax;b:mlp;1x;+2')).toBe('+0.10, +0.10, +0.10');
    expect(ev('se;a:softmax;b:mlp;1x;+2')).toBe('+0.10 ±0.00');
    expect(ev('cmp;b:mlp;a:softmax;1x;2')).toBe('lower on every seed (-0.10, -0.10, -0.10)');
    // A run against itself: every difference prints as zero, so neither lower nor higher.
    expect(ev('cmp;a:softmax;a:softmax;1x;3')).toBe('not separable at 3 seeds (0.000, 0.000, 0.000)');
    expect(ev('above;a:*;1x;3')).toBe('3');
  });

  test('bad references and expressions say what is wrong', () => {
    expect(() => ev('mean;softmax;1x;2')).toThrow(/names no preset/);
    expect(() => ev('mean;c:softmax;1x;2')).toThrow(/no results for preset 'c'/);
    expect(() => ev('mean;a:s;1x;2')).toThrow(/matches 2 rows/);
    expect(() => ev('mean;a:*;1x;2')).toThrow(/needs one/);
    expect(() => ev('mean;a:softmax;8x;2')).toThrow(/no evaluation at 8/);
    expect(() => ev('mean;a:softmax;speed;2')).toThrow(/unknown measure 'speed'/);
    expect(() => ev('median;a:softmax;1x;2')).toThrow(/unknown operation 'median'/);
    expect(resolveRows(results, 'a:*ssa').map((r) => r.name)).toEqual(['lssa']);
  });
});

test('fillInline refills every marker, keeps the text around it, and names each one it cannot compute', () => {
  const doc = 'x <!-- =mean;a:softmax;1x;2 -->9.99<!-- /= --> y <!-- =mean;a:nope;1x;2 -->old<!-- /= --> z\n';
  const { report, errors } = fillInline(doc, results);
  expect(report).toBe('x <!-- =mean;a:softmax;1x;2 -->3.00<!-- /= --> y <!-- =mean;a:nope;1x;2 -->old<!-- /= --> z\n');
  expect(errors).toEqual([expect.stringMatching(/^<!-- =mean;a:nope;1x;2 -->: 'nope' matches 0 rows/)]);
  expect(fillInline(report, results).report).toBe(report);
  expect(markersOf(report).map((m) => m.text)).toEqual(['3.00', 'old']);
});

// A document with standard errors over windows and a windowed evaluation on the same windows: every standard error
// is 0.01 x seed on the full evaluation and 0.02 x seed on the windowed one; the windowed loss is the full loss
// minus 0.05 log2 f (so 0 apart at 1x) and its per-position buckets sit 0.1 x bucket below the full ones.
function withWindowed(doc: ResultsDoc): ResultsDoc {
  const s = doc.seed;
  const full = doc.lossVsLength[0];
  const se = (k: number) => ({ meanLossSe: k * s, tailLossSe: k * s });
  const lengths = full.lengths.map((l) => ({
    ...l,
    ...se(0.01),
    positionsSe: l.positions.map((_, i) => 0.01 * s * (i + 1)),
  }));
  const windowed = lengths.map((l) => {
    const meanLoss = l.meanLoss - 0.05 * Math.log2(l.factor);
    return {
      ...l,
      ...se(0.02),
      meanLoss,
      positions: l.positions.map((x, i) => x - 0.1 * i),
      positionsSe: l.positions.map(() => 0.02 * s),
      fullLoss: l.meanLoss,
      fullMinusWindowed: l.meanLoss - meanLoss,
    };
  });
  return {
    ...doc,
    lossVsLength: [
      { ...full, lengths },
      { label: 'windowed (last 16 keys)', reweightP: null, hybridskip: false, window: 16, lengths: windowed },
    ],
  };
}

describe('windowed evaluation and standard errors over windows', () => {
  const w = new Map([
    ['w/shifted', [1, 2, 3].map((seed) => withWindowed(fakeDoc('lssar', { seed })))],
    ['old', [fakeDoc('lssar', { seed: 1 })]],
  ]);
  const evw = (e: string) => evaluate(w, e);

  test('a measure read from the windowed evaluation: full minus windowed, per length and per bucket', () => {
    // 4x: 0.05 log2 4 = 0.1 on every seed; 1x: none, the windows are no longer than T.
    expect(evw('seeds;w/shifted:lssar;4x - windowed 4x;3')).toBe('0.100, 0.100, 0.100');
    expect(evw('mean;w/shifted:lssar;1x - windowed 1x;3')).toBe('0.000');
    // The same as the documents' own fullMinusWindowed, seed by seed.
    const own = w.get('w/shifted')!.map((d) => fixed(d.lossVsLength[1].lengths[2].fullMinusWindowed!, '6'));
    expect(evw('seeds;w/shifted:lssar;4x - windowed 4x;6')).toBe(own.join(', '));
    // Buckets of 16 at 64: bucket i sits 0.1 i below; positions 32-63 are buckets 2 and 3, so 0.25 on average.
    expect(evw('mean;w/shifted:lssar;pos 32-63 - windowed pos 32-63;+3')).toBe('+0.250');
    // The windowed twin is also a row of its own, read as it was before.
    expect(evw('mean;w/shifted:lssar · windowed;4x;3')).toBe(evw('mean;w/shifted:lssar;windowed 4x;3'));
  });

  test('wse: the mean over seeds beside a bound on its standard error over windows', () => {
    // One length's mean: each seed's own standard error (0.01 s), their mean over seeds 0.02.
    expect(evw('wse;w/shifted:lssar;4x;3')).toBe(`${evw('mean;w/shifted:lssar;4x;3')} (se ≤ 0.020)`);
    // Full minus windowed: se(full) + se(windowed) = 0.03 s, mean over seeds 0.06.
    expect(evw('wse;w/shifted:lssar;4x - windowed 4x;+3')).toBe('+0.100 (se ≤ 0.060)');
    // Several buckets: the mean of their standard errors, 0.01 s (3 + 4) / 2 = 0.035 s, mean over seeds 0.07.
    expect(evw('wse;w/shifted:lssar;pos 32-63;3')).toBe(`${evw('mean;w/shifted:lssar;pos 32-63;3')} (se ≤ 0.070)`);
    expect(evw('wse;w/shifted:lssar;tail;3')).toMatch(/ \(se ≤ 0\.020\)$/);
  });

  test('pct: how much of one mean is another', () => {
    // Of the 0.2-nat rise from 1x to 4x, full minus windowed at 4x is 0.1: half.
    expect(evw('pct;w/shifted:lssar;4x - windowed 4x;4x - 1x;0')).toBe('50');
    expect(() => evw('pct;w/shifted:lssar;4x;1x - windowed 1x;0')).toThrow(/is zero/);
  });

  test('documents without a windowed evaluation or standard errors, and measures without one, say so', () => {
    expect(() => evaluate(w, 'mean;old:lssar;windowed 4x;2')).toThrow(/lssar seed 1 has no windowed evaluation/);
    expect(() => evaluate(w, 'wse;old:lssar;4x;2')).toThrow(/has no standard error over windows of 4x/);
    expect(() => evw('wse;w/shifted:lssar;ratio;2')).toThrow(/measure 'ratio' has no standard error over windows/);
    expect(() => evw('wse;w/shifted:lssar;pos 10-20;2')).toThrow(/not whole buckets/);
  });
});
