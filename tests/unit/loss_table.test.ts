// The report's table of loss against length: seeds grouped into one row with
// a spread, ratios computed per seed, variants as their own rows, baselines.
import { describe, expect, test } from 'vitest';
import { cell, lossRows, lossSummary, lossTableMarkdown, passkeyTableMarkdown } from '../../src/report/lossTable';
import { fakeDoc } from './app_fixture';

describe('loss table', () => {
  test('seeds of one config form one row: mean and half-range per factor; the ratio is taken per seed', () => {
    // fakeDoc: meanLoss = base + 0.1 log2 f + seed/1000.
    const docs = [fakeDoc('softmax', { seed: 1 }), fakeDoc('softmax', { seed: 3 }), fakeDoc('lssa', { base: 2.5 })];
    const rows = lossRows(docs);
    expect(rows.map((r) => [r.series, r.seeds])).toEqual([
      ['softmax', 2],
      ['lssa', 1],
    ]);
    const [s] = rows;
    expect(s.factors).toEqual([1, 2, 4]);
    expect(s.mean[0].mean).toBeCloseTo(3.002, 12);
    expect(s.mean[0].lo).toBeCloseTo(3.001, 12);
    expect(s.mean[0].hi).toBeCloseTo(3.003, 12);
    const r1 = 3.201 / 3.001;
    const r3 = 3.203 / 3.003;
    expect(s.ratio.mean).toBeCloseTo((r1 + r3) / 2, 12);
    expect(s.ratio.lo).toBeCloseTo(Math.min(r1, r3), 12);
    expect(s.tail.mean).toBeCloseTo(3.4, 12);
  });

  test('markdown: a column per factor, tail and ratio, escaped names, and the baselines line', () => {
    const md = lossTableMarkdown([fakeDoc('a|b', { seed: 1 }), fakeDoc('a|b', { seed: 3 })]);
    const lines = md.split('\n');
    const [twoSeeds] = lossRows([fakeDoc('a|b', { seed: 1 }), fakeDoc('a|b', { seed: 3 })]);
    expect(lines[0]).toBe('| run | seeds | 1x | 2x | 4x | tail 4x | 4x / 1x |');
    expect(lines[2]).toBe(
      `| a\\|b | 2 | 3.002 ±0.001 | 3.102 ±0.001 | 3.202 ±0.001 | 3.400 ±0.000 | ${cell(twoSeeds.ratio)} |`,
    );
    expect(md).toContain(`Baselines (nats/token): unigram 3.200 · uniform, ln V ${Math.log(40).toFixed(3)}.`);
    expect(lossTableMarkdown([])).toBe('_no runs_\n');
  });

  test('runs with passkey trials: their accuracy table follows, a column per factor, and the chance row', () => {
    const withPk = (seed: number, acc: number[]) => ({
      ...fakeDoc('lssar', { seed }),
      passkey: {
        trainedOn: 'passkey' as const,
        points: acc.map((accuracy, i) => ({ length: 16 << i, accuracy, trials: 64, digits: 5 })),
      },
    });
    const docs = [withPk(1, [1, 0.5, 0]), withPk(2, [0.5, 0.25, 0])];
    const pk = passkeyTableMarkdown(docs).split('\n');
    expect(pk[2]).toBe('| run | seeds | 1x | 2x | 4x |');
    expect(pk[4]).toBe('| lssar | 2 | 75.0% ±25.0 | 37.5% ±12.5 | 0.0% ±0.0 |');
    expect(pk[5]).toBe('| chance (10^-digits) |  | 0.001% | 0.001% | 0.001% |');
    expect(lossTableMarkdown(docs)).toContain(pk.join('\n'));
    // Without passkey results the loss table ends at its baselines.
    expect(passkeyTableMarkdown([fakeDoc('a')])).toBe('');
    expect(
      lossTableMarkdown([fakeDoc('a')])
        .trimEnd()
        .endsWith(')'),
    ).toBe(false);
  });

  test('a 1x loss near zero (a task learned perfectly) gives no ratio, not a huge one', () => {
    const learned = (seed: number, at1: number) => {
      const d = fakeDoc('passkey', { seed });
      d.lossVsLength[0].lengths[0].meanLoss = at1;
      return d;
    };
    expect(lossRows([learned(1, 1e-6), learned(2, 0)])[0].ratio.n).toBe(0);
    expect(
      lossTableMarkdown([learned(1, 1e-6)])
        .split('\n')[2]
        .endsWith('| – |'),
    ).toBe(true);
    const [kept] = lossRows([learned(1, 1e-6), learned(2, 0.5)]);
    expect(kept.ratio.n).toBe(1);
    expect(kept.ratio.mean).toBeCloseTo(3.202 / 0.5, 12);
  });

  test('cell: one seed has no spread, none is a dash', () => {
    expect(cell({ mean: 2.5, lo: 2.5, hi: 2.5, n: 1 })).toBe('2.500');
    expect(cell({ mean: 2.5, lo: 2.4, hi: 2.7, n: 3 })).toBe('2.500 ±0.150');
    expect(cell({ mean: 0, lo: Infinity, hi: -Infinity, n: 0 })).toBe('–');
  });

  test('in words (the lab’s text alternative): each line at its first and last length, its ratio, baselines', () => {
    const docs = [fakeDoc('softmax', { seed: 1 }), fakeDoc('lssa', { base: 2.5 })];
    expect(lossSummary(docs)).toBe(
      'Validation loss (nats/token), mean over seeds: softmax 3.001 at 1x to 3.201 at 4x (ratio 1.067); ' +
        'lssa 2.501 at 1x to 2.701 at 4x (ratio 1.080). ' +
        `Baselines: unigram 3.200, uniform, ln V ${Math.log(40).toFixed(3)}.`,
    );
    expect(lossSummary(docs, new Set(['softmax']))).not.toContain('softmax');
    expect(lossSummary([])).toBe('No finished runs yet.');
  });
});
