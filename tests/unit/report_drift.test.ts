// docs/REPRODUCTION.md against the results documents it reports (docs/figures/*.json): every number in its prose
// is what its marker computes, every table is the table the results give, no figure outside a marker or a table
// was typed by hand (beyond the papers' and the settings', listed below with their reasons), and the words that
// sum up several comparisons still say what the comparisons say. Fails when the report drifts from the data;
// `npm run report` refills it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadResults } from '../../scripts/reportData';
import { REPORTED_PRESETS } from '../../src/experiment/presets';
import { pairBySeed, type Verdict, verdict } from '../../src/report/compare';
import { fillInline, markersOf } from '../../src/report/inline';
import { lossTableMarkdown } from '../../src/report/lossTable';
import { perSeed, resolveRows } from '../../src/report/measures';

const ROOT = resolve(import.meta.dirname, '../..');
const REPORT = readFileSync(join(ROOT, 'docs/REPRODUCTION.md'), 'utf8');
const results = loadResults(join(ROOT, 'docs/figures'));

/** Table rows as trimmed cells, the alignment row and the formatter's padding left out. */
const cells = (md: string) =>
  md
    .split('\n')
    .filter((l) => l.trim() && !/^\|[\s:|-]+\|$/.test(l.trim()))
    .map((l) => (l.startsWith('|') ? l.split(/(?<!\\)\|/).map((c) => c.trim()) : [l.trim()]));

// Figures that are not the lab's results: what the papers report and the settings of the runs and of the check.
// Each must still be in the report (a stale entry fails), and nothing else with a decimal point may be outside a
// marker or a table.
const NOT_RESULTS: [phrase: string, reason: string][] = [
  ['lr 0.01', 'the budget: learning rate'],
  ['lr 0.003', 'budgets tried: learning rate'],
  ['cosine to 0.1x', 'the budget: learning-rate schedule'],
  ['above 1.1', 'the regression check: its threshold'],
  ['at least 0.05 below it', 'the regression check: its threshold'],
  ['0.3 nats below', 'the regression check: its threshold'],
  ['at least 0.2 nats smaller', 'the regression check: its threshold'],
  ['16x/1x at least 0.05 lower', 'the regression check: its threshold'],
  ['price at 16x at least 0.15 lower', 'the regression check: its threshold'],
  ['by less than 0.05 nats', 'the regression check: its threshold'],
  ['about 3.2 at 1x to 6.3 at 8x', 'the Softplus paper'],
  ['5.9 at 8x', 'the Softplus paper'],
  ['3.19 at 1x, 3.32 at 8x', 'the Softplus paper'],
  ['(3.19, 3.19, 3.23, 3.32 at 1x to 8x)', 'the Softplus paper'],
  ['within 0.13 to 8x', "the Softplus paper: lssar's 3.32 - 3.19"],
];

describe('docs/REPRODUCTION.md against docs/figures/*.json', () => {
  test('every number between markers is what its marker computes from the results', () => {
    const { report, errors } = fillInline(REPORT, results);
    expect(errors).toEqual([]);
    const now = markersOf(REPORT);
    const want = markersOf(report);
    expect(now.length).toBeGreaterThan(200);
    const drifted = now.flatMap((m, i) => (m.text === want[i].text ? [] : [`${m.expr}: ${m.text} -> ${want[i].text}`]));
    expect(drifted).toEqual([]);
  });

  test("every preset's table is the table its results give", () => {
    const presets = [...results.keys()].filter((k) => !k.includes('/'));
    // Every preset of the lab has its results and its table in the report.
    expect(presets).toEqual(REPORTED_PRESETS.map((p) => p.id));
    for (const id of presets) {
      const block = REPORT.match(new RegExp(`<!-- table:${id} -->\\n([\\s\\S]*?)<!-- /table -->`));
      expect(block, id).not.toBeNull();
      expect(cells(block![1]), id).toEqual(cells(lossTableMarkdown(results.get(id)!)));
    }
  });

  test('no figure outside a marker or a table is typed by hand', () => {
    let prose = REPORT.replace(/```[\s\S]*?```/g, '')
      .replace(/<!-- table:[\w-]+ -->[\s\S]*?<!-- \/table -->/g, '')
      .replace(/<!-- =[^>]*? -->[\s\S]*?<!-- \/= -->/g, '#')
      .replace(/\s+/g, ' ');
    for (const [phrase, reason] of NOT_RESULTS) {
      expect(prose, `${phrase} (${reason}) is no longer in the report`).toContain(phrase);
      prose = prose.replaceAll(phrase, '');
    }
    const figures = [...prose.matchAll(/.{0,30}\d+\.\d+.{0,10}/g)].map((m) => m[0]);
    expect(figures).toEqual([]);
  });
});

const cmp = (a: string, b: string, m: string, digits = 2): Verdict => {
  const p = pairBySeed(perSeed(one(a), m), perSeed(one(b), m));
  return verdict(p.diffs, digits);
};
const one = (ref: string) => {
  const rows = resolveRows(results, ref);
  expect(rows).toHaveLength(1);
  return rows[0];
};
const all = (ref: string, m: string) => resolveRows(results, ref).flatMap((r) => [...perSeed(r, m).values()]);
const U = 'deconstruct-uniform';
const R = 'reweight-eval';
const H = 'deconstruct-hybrid';
const M = 'how-many';
// Preset 1 again on shifted windows with windowed evaluation (§1's corrected reading); `fmw` is full minus windowed.
const S = 'extrapolation/shifted';
const fmw = (x: string) => `${x} - windowed ${x}`;
const L = 'train-length';

// A sentence that sums up comparisons in words, and the check that recomputes it. The sentence must be in the
// report as written (whitespace aside), so rewording one means revisiting its check.
const CLAIMS: [sentence: string, holds: () => boolean][] = [
  [
    'at 16x every seed of `lssa` and `lssar` ends below every seed of softmax',
    () => Math.max(...all('extrapolation:lssa&lssar', '16x')) < Math.min(...all('extrapolation:softmax', '16x')),
  ],
  [
    'every seed of `sigmoid`',
    () =>
      Math.min(...all('decomposition:sigmoid&relu', 'ratio')) > Math.max(...all('decomposition:lssa&taylor', 'ratio')),
  ],
  [
    'each not separable from softmax there',
    () =>
      ['taylor', 'fixedseqqk', 'staticembqk', 'rndembqk'].every(
        (r) => cmp(`${U}:${r}`, `${U}:softmax`, '1x') === 'not separable',
      ),
  ],
  [
    'with length only `fixedseqqk` degrades more than softmax on every seed ' +
      '(`rndembqk`, `staticembqk` not separable, `taylor` flatter',
    () =>
      cmp(`${U}:fixedseqqk`, `${U}:softmax`, 'ratio') === 'higher' &&
      cmp(`${U}:rndembqk`, `${U}:softmax`, 'ratio') === 'not separable' &&
      cmp(`${U}:staticembqk`, `${U}:softmax`, 'ratio') === 'not separable' &&
      cmp(`${U}:taylor`, `${U}:softmax`, 'ratio') === 'lower',
  ],
  [
    'no other placement is separable from all-`taylor` except `last`, worse',
    () =>
      ['first', 'bilateral', 'top', 'bottom', 'middle'].every(
        (r) => cmp(`${M}:taylor, ${r}`, `${M}:taylor, every layer`, '1x') === 'not separable',
      ) && cmp(`${M}:taylor, last`, `${M}:taylor, every layer`, '1x') === 'higher',
  ],
  [
    "better than the same seed's softmax on two seeds and worse on one",
    () => {
      const { diffs } = pairBySeed(perSeed(one(`${H}:alternate nonapprox`), '1x'), perSeed(one(`${U}:softmax`), '1x'));
      return diffs.filter((d) => d < 0).length === 2 && diffs.filter((d) => d > 0).length === 1;
    },
  ],
  [
    'every other hybrid is not separable from it',
    () =>
      ['mlp', 'taylor', 'nonapprox', 'rndembqk', 'fixedseqqk'].every(
        (r) => cmp(`${H}:alternate ${r}`, `${U}:softmax`, 'ratio') === 'not separable',
      ),
  ],
  [
    're-weighting at evaluation only hurts at every p, more as p grows',
    () =>
      ['p = 1', 'p = 3', 'p = 7', 'p = 15'].every(
        (p, i, ps) =>
          cmp(`${R}:*${p}`, `${R}:${i ? `*${ps[i - 1]}` : 'lssa, re-weighting swept at evaluation'}`, '16x') ===
          'higher',
      ),
  ],
  [
    'above the unigram line',
    () =>
      resolveRows(results, `${H}:*hybridskip`).every((r) =>
        r.docs.every((d) => perSeed(r, '1x').get(d.seed)! > d.baselines.unigram),
      ),
  ],
  [
    'at 16x only `bilateral` (worse than all-`taylor`) and `middle` (better than all-softmax) separate from an end',
    () =>
      ['quarter', 'first', 'last', 'bilateral', 'top', 'bottom', 'middle']
        .flatMap((p) =>
          ['taylor', 'softmax'].map((end) => [p, end, cmp(`${M}:taylor, ${p}`, `${M}:${end}, every layer`, '16x')]),
        )
        .filter(([, , v]) => v !== 'not separable')
        .join(' ') === 'bilateral,taylor,higher middle,softmax,lower',
  ],
  ['none of the # models gets better with a longer window', () => all('positional:*', '16x - 1x').every((x) => x > 0)],
  [
    'at 16x softmax with RoPE stands apart on the right',
    () =>
      Math.min(...all('positional:softmax, rope', '16x')) >
      Math.max(...all('positional:*alibi&*nope&lssar, rope', '16x')),
  ],
  [
    'the same three models, and their rows agree to every printed digit',
    () =>
      ['1x', '2x', '4x', '8x', '16x', 'tail'].every(
        (m) => all('extrapolation:lssa', m).join() === all(`${R}:lssa, re-weighting swept at evaluation`, m).join(),
      ),
  ],
  [
    'overlapping `lssar` under RoPE',
    () => {
      const [flat, rope] = [all('positional:*alibi&*nope', '16x'), all('positional:lssar, rope', '16x')];
      return Math.min(...rope) < Math.max(...flat) && Math.max(...rope) > Math.min(...flat);
    },
  ],
];

CLAIMS.push(
  [
    'the same seeds, training and weights',
    () =>
      ['softmax', 'lssa', 'lssar (p = 15)'].every(
        (r) => all(`${S}:${r}`, '16x').join() === all(`extrapolation:${r}`, '16x').join(),
      ),
  ],
  [
    'below position T the two are the same computation and the difference is exactly zero',
    () => {
      const runs = `${S}:softmax&lssa&lssar (p = 15)`;
      return [...all(runs, fmw('pos 0-31')), ...all(runs, fmw('1x'))].every((x) => x === 0);
    },
  ],
  [
    'softmax and `lssar` pay more with every doubling, on every seed',
    () =>
      ['softmax', 'lssar (p = 15)'].every((r) =>
        [0, 1, 2].every((i) => {
          const at = ['2x', '4x', '8x', '16x'].map((f) => all(`${S}:${r}`, fmw(f))[i]);
          return at.every((x, k) => k === 0 || x > at[k - 1]);
        }),
      ),
  ],
  ['no step at T for `lssar`', () => all(`${S}:lssar (p = 15)`, fmw('pos 32-47')).every((x) => Math.abs(x) < 0.015)],
  [
    'reading only its last T keys does as well at 16x as at 1x',
    () => all(`${S}:lssar (p = 15)`, 'windowed 16x - 1x').every((x) => Number(x.toFixed(2)) <= 0),
  ],
  [
    'a longer T flattens none of the three',
    () =>
      ['softmax', 'lssa', 'lssar'].every((m) => cmp(`${L}:${m}, T = 128`, `${L}:${m}, T = 32`, 'ratio') !== 'lower'),
  ],
  [
    '`lssar` is the flattest at every T',
    () => {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      return [32, 64, 128].every((T) => {
        const r = (m: string) => mean(all(`${L}:${m}, T = ${T}`, 'ratio'));
        return r('lssar') < r('softmax') && r('lssar') < r('lssa');
      });
    },
  ],
  [
    'the same 600 steps of 8 windows at every T',
    () => {
      const docs = results.get(L) ?? [];
      return docs.length === 27 && docs.every((d) => d.train.steps === 600 && d.train.batchSize === 8);
    },
  ],
  [
    'So all of it remains',
    () => {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      return mean(all(`${S}:lssar (p = 15)`, fmw('16x'))) >= mean(all(`${S}:lssar (p = 15)`, '16x - 1x'));
    },
  ],
);

test.each(CLAIMS)('in words: %s', (sentence, holds) => {
  const prose = REPORT.replace(/<!-- =[^>]*? -->[\s\S]*?<!-- \/= -->/g, '#').replace(/\s+/g, ' ');
  expect(prose).toContain(sentence);
  expect(holds()).toBe(true);
});
