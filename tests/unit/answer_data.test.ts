// The answer figures' numbers (src/report/answerData.ts): every preset
// declares its figure, results find their preset, and each kind's rows, order,
// per-seed values and text alternative, on hand-made documents and on the
// reproduction's committed results (docs/figures/<preset>.json).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseResults, type ResultsDoc } from '../../src/eval/results';
import { presetById, REPORTED_PRESETS } from '../../src/experiment/presets';
import {
  type AnswerData,
  answerData,
  answerFigureFor,
  answerIsEmpty,
  answerSummary,
  answerTitle,
  baseName,
  DEFAULT_ANSWER,
  presetOf,
  resolveLength,
} from '../../src/report/answerData';
import { fakeDoc } from './app_fixture';

const committed = (id: string): ResultsDoc[] =>
  (JSON.parse(readFileSync(resolve(import.meta.dirname, `../../docs/figures/${id}.json`), 'utf8')) as unknown[]).map(
    (d) => parseResults(d),
  );

/** A document with one extra evaluation (hybridskip, or re-weighting at p) whose loss is `variant` higher. */
function withVariant(d: ResultsDoc, kind: 'hybridskip' | number, variant: number): ResultsDoc {
  const own = d.lossVsLength[0];
  const lengths = own.lengths.map((l) => ({ ...l, meanLoss: l.meanLoss + variant }));
  const v =
    kind === 'hybridskip'
      ? { label: 'hybridskip', reweightP: null, hybridskip: true, lengths }
      : { label: `p = ${kind}`, reweightP: kind, hybridskip: false, lengths };
  return { ...d, lossVsLength: [...d.lossVsLength, v] };
}

function only<K extends AnswerData['kind']>(a: AnswerData, kind: K): Extract<AnswerData, { kind: K }> {
  expect(a.kind).toBe(kind);
  return a as Extract<AnswerData, { kind: K }>;
}

describe('which answer figure', () => {
  test('every preset declares the figure that answers its question, naming only its own runs', () => {
    for (const p of REPORTED_PRESETS) {
      expect(p.answer, p.id).toBeDefined();
      const labels = new Set(p.runs.map((r) => String(r.label)));
      const a = p.answer!;
      const named =
        a.kind === 'dotsAt' ? (a.references ?? []) : a.kind === 'ratio' ? a.groups.flatMap((g) => g.runs) : [];
      for (const n of named) expect(labels.has(n), `${p.id}: ${n}`).toBe(true);
      if (a.kind === 'ratio') {
        // Every run in exactly one group.
        expect(a.groups.flatMap((g) => g.runs).sort()).toEqual([...labels].sort());
      }
    }
  });

  test('results find their preset by the experiment title, else by their run labels; else the default figure', () => {
    const hm = presetById('how-many')!;
    expect(presetOf([], hm.title)).toBe(hm);
    expect(presetOf([fakeDoc('taylor, quarter'), fakeDoc('softmax, every layer (shared)')])).toBe(hm);
    expect(answerFigureFor([fakeDoc('alternate mlp')], 'my own experiment')).toBe(
      presetById('deconstruct-hybrid')!.answer,
    );
    // 'softmax' is a run of several presets: ambiguous, so the default.
    expect(presetOf([fakeDoc('softmax')])).toBeUndefined();
    expect(answerFigureFor([fakeDoc('my run')], 'my experiment')).toBe(DEFAULT_ANSWER);
    expect(baseName('softmax (shared) (2)')).toBe('softmax');
  });

  test('lengths: T is 1x (else the shortest), longest the last, a factor only if evaluated', () => {
    expect(resolveLength('T', [1, 2, 4])).toBe(1);
    expect(resolveLength('T', [2, 4])).toBe(2);
    expect(resolveLength('longest', [1, 2, 16])).toBe(16);
    expect(resolveLength(16, [1, 2, 4])).toBeNull();
    expect(resolveLength('T', [])).toBeNull();
  });
});

describe('dotsAt', () => {
  // fakeDoc: meanLoss = base + 0.1 log2 f + seed/1000.
  const docs = [
    fakeDoc('softmax, every layer', { base: 2.3 }),
    fakeDoc('softmax, every layer', { base: 2.3, seed: 2 }),
    fakeDoc('taylor, every layer', { base: 2.6 }),
    fakeDoc('taylor, last', { base: 2.9 }),
    fakeDoc('taylor, last', { base: 2.9, seed: 2 }),
    fakeDoc('taylor, first', { base: 2.4 }),
  ];
  const fig = presetById('how-many')!.answer!;

  test('a panel per length; rows by mean loss at T, every seed a value; the two ends as references', () => {
    const a = only(answerData(docs, fig), 'dotsAt');
    expect(a.panels.map((p) => [p.factor, p.length])).toEqual([
      [1, 16],
      [4, 64],
    ]);
    const [atT, longest] = a.panels;
    expect(atT.rows.map((r) => r.label)).toEqual(['taylor, first', 'taylor, last']);
    expect(longest.rows.map((r) => r.label)).toEqual(['taylor, first', 'taylor, last']); // the same order
    expect(atT.rows[1].seeds.map((s) => s.seed)).toEqual([1, 2]);
    expect(atT.rows[1].seeds[0].value).toBeCloseTo(2.901, 12);
    expect(atT.rows[1].seeds[1].value).toBeCloseTo(2.902, 12);
    expect(longest.rows[1].stat.mean).toBeCloseTo(3.1015, 12);
    expect(atT.references.map((r) => [r.label, r.stat.n])).toEqual([
      ['softmax, every layer', 2],
      ['taylor, every layer', 1],
    ]);
  });

  test('hidden runs are left out; one run with variants gets a row per variant, named by the variant', () => {
    const a = only(answerData(docs, fig, new Set(['taylor, last'])), 'dotsAt');
    expect(a.panels[0].rows.map((r) => r.label)).toEqual(['taylor, first']);
    const sweep = [1, 2].map((seed) => withVariant(fakeDoc('lssa', { seed }), 3, 0.2));
    const b = only(answerData(sweep, { kind: 'dotsAt', at: ['longest'] }), 'dotsAt');
    expect(b.panels[0].rows.map((r) => [r.label, r.seeds.length])).toEqual([
      ['as trained', 2],
      ['p = 3', 2],
    ]);
  });

  test('title and text alternative give the lengths, each row’s mean with its seeds’ range, and the references', () => {
    const a = answerData(docs, fig);
    expect(answerTitle(a)).toBe('Validation loss at T = 16 and at 4x: every seed a dot, the bar their mean');
    const text = answerSummary(a);
    expect(text).toContain(
      'At T = 16, in the rows’ order: taylor, first 2.401; taylor, last 2.901 (2.90 to 2.90, 2 seeds)',
    );
    expect(text).toContain('reference lines: softmax, every layer 2.301; taylor, every layer 2.601');
    expect(text).toContain('At 4x: taylor, first 2.601');
    expect(answerSummary(answerData([], fig))).toBe('No finished runs yet.');
  });
});

describe('paired', () => {
  test('each run as trained and with hybridskip, paired per seed, with the baselines', () => {
    const docs = [1, 2].map((seed) => withVariant(fakeDoc('alternate mlp', { seed, base: 2.3 }), 'hybridskip', 2));
    const a = only(answerData(docs, presetById('deconstruct-hybrid')!.answer!), 'paired');
    expect(a.factor).toBe(1);
    expect(a.rows).toHaveLength(1);
    expect(a.rows[0].pairs.map((p) => p.seed)).toEqual([1, 2]);
    expect(a.rows[0].pairs[0].trained).toBeCloseTo(2.301, 12);
    expect(a.rows[0].pairs[0].variant).toBeCloseTo(4.301, 12);
    expect(a.baselines.map((b) => b.name)).toEqual(['unigram', 'uniform, ln V']);
    expect(answerSummary(a)).toBe(
      'Loss at T = 16 (nats/token), mean over seeds, as trained and with hybridskip: alternate mlp 2.301 and 4.301 ' +
        `(+2.000). Baselines: unigram 3.200, uniform, ln V ${Math.log(40).toFixed(3)}.`,
    );
  });

  test('a run without the variant keeps its trained dots', () => {
    const a = only(answerData([fakeDoc('alternate mlp')], presetById('deconstruct-hybrid')!.answer!), 'paired');
    expect(a.rows[0].trained.n).toBe(1);
    expect(a.rows[0].variant.n).toBe(0);
    expect(answerIsEmpty(a)).toBe(false);
  });
});

describe('ratio', () => {
  test('longest/1x per seed, in the declared groups; runs in no group come last as "other runs"', () => {
    const docs = [
      fakeDoc('sigmoid, no norm', { base: 2 }),
      fakeDoc('exp + l1 (softmax)', { base: 2.5 }),
      fakeDoc('exp + l1 (softmax)', { base: 2.5, seed: 3 }),
      fakeDoc('something else'),
    ];
    const a = only(answerData(docs, presetById('decomposition')!.answer!), 'ratio');
    expect([a.first, a.last]).toEqual([1, 4]);
    expect(a.groups.map((g) => [g.label, g.rows.map((r) => r.label)])).toEqual([
      ['l1-normalised', ['exp + l1 (softmax)']],
      ['no norm', ['sigmoid, no norm']],
      ['other runs', ['something else']],
    ]);
    const seeds = a.groups[0].rows[0].seeds;
    expect(seeds.map((s) => s.seed)).toEqual([1, 3]);
    expect(seeds[0].value).toBeCloseTo(2.701 / 2.501, 12);
    expect(seeds[1].value).toBeCloseTo(2.703 / 2.503, 12);
    expect(answerTitle(a)).toBe('Loss at 4x over loss at 1x (1 = no worse with length): every seed a dot');
    expect(answerSummary(a)).toMatch(/^Loss at 4x over loss at 1x, mean over seeds\. l1-normalised: exp \+ l1/);
  });
});

describe('on the reproduction’s results', () => {
  test('how many: the 7 placements by mean loss at T, the two ends as reference lines, at T and 16x', () => {
    const a = only(answerData(committed('how-many'), presetById('how-many')!.answer!), 'dotsAt');
    expect(a.panels.map((p) => p.factor)).toEqual([1, 16]);
    const rows = a.panels[0].rows;
    expect(rows).toHaveLength(7);
    expect(rows.every((r) => r.seeds.length === 3)).toBe(true);
    const means = rows.map((r) => r.stat.mean);
    expect(means).toEqual([...means].sort((x, y) => x - y));
    expect(rows[0].label).toBe('taylor, middle');
    expect(rows.at(-1)!.label).toBe('taylor, last');
    expect(a.panels[0].references.map((r) => r.label)).toEqual(['softmax, every layer', 'taylor, every layer']);
  });

  test('hybrids: all 18 trained/hybridskip pairs, every one worse under hybridskip, above the unigram level', () => {
    const a = only(answerData(committed('deconstruct-hybrid'), presetById('deconstruct-hybrid')!.answer!), 'paired');
    const pairs = a.rows.flatMap((r) => r.pairs);
    expect(pairs).toHaveLength(18);
    const unigram = a.baselines.find((b) => b.name === 'unigram')!.loss;
    for (const p of pairs) expect(p.variant).toBeGreaterThan(Math.max(p.trained + 0.4, unigram));
  });

  test('decomposition and deconstructing: every run in its group, three seeds each', () => {
    for (const id of ['decomposition', 'deconstruct-uniform']) {
      const fig = presetById(id)!.answer!;
      if (fig.kind !== 'ratio') throw new Error(`${id} should declare a ratio figure`);
      const a = only(answerData(committed(id), fig), 'ratio');
      expect(a.groups.map((g) => g.label)).toEqual(fig.groups.map((g) => g.label)); // no "other runs"
      expect([a.first, a.last]).toEqual([1, 16]);
      for (const g of a.groups) for (const r of g.rows) expect(r.seeds, `${id} ${r.label}`).toHaveLength(3);
    }
  });
});
