// Every plot's numbers as a table (src/report/plotTables.ts): the same numbers
// the plot draws, a row per line, hidden runs left out, long curves thinned
// and the attention map pooled into blocks, each stated in a note.
import { describe, expect, test } from 'vitest';
import type { ResultsDoc } from '../../src/eval/results';
import { answerData, DEFAULT_ANSWER } from '../../src/report/answerData';
import { lossVsLengthPoints } from '../../src/report/lossVsLength';
import {
  answerTable,
  attentionMapTable,
  diagnosticsTable,
  evenIndices,
  lossVsLengthTable,
  lossVsStepTable,
  passkeyTable,
  perPositionTable,
} from '../../src/report/plotTables';
import { fakeDoc } from './app_fixture';

// fakeDoc: meanLoss = base + 0.1 log2 f + seed/1000, tailLoss = base + 0.2 log2 f, factors 1 2 4, T = 16.
const docs = [fakeDoc('softmax', { seed: 1 }), fakeDoc('softmax', { seed: 3 }), fakeDoc('lssa', { base: 2.5 })];

function withPasskey(d: ResultsDoc, acc: number[]): ResultsDoc {
  return {
    ...d,
    passkey: { trainedOn: 'passkey', points: acc.map((a, i) => ({ length: 16 << i, accuracy: a, trials: 8 })) },
  };
}

describe('plot tables', () => {
  test('loss against length: a row per line, a column per factor, the mean ± half the seeds range', () => {
    const t = lossVsLengthTable(docs);
    expect(t.columns).toEqual(['line', '1x T', '2x T', '4x T']);
    expect(t.rows.map((r) => r.head)).toEqual(['softmax', 'lssa']);
    // Seeds 1 and 3 at 2x: 3.101 and 3.103.
    expect(t.rows[0].cells[1]).toBe('3.102 ±0.001');
    expect(t.rows[1].cells).toEqual(['2.501', '2.601', '2.701']);
    // Every cell is a point the plot draws.
    const pts = lossVsLengthPoints(docs);
    expect(t.rows.flatMap((r) => r.cells).length).toBe(pts.length);
    expect(t.note).toContain('unigram 3.200');
    expect(lossVsLengthTable(docs, { field: 'tailLoss' }).rows[1].cells[2]).toBe('2.900');
    expect(lossVsLengthTable(docs, { hidden: new Set(['lssa']) }).rows.map((r) => r.head)).toEqual(['softmax']);
  });

  test('loss against step: a row per logged step; a long curve thinned evenly, every validation kept', () => {
    const curve = Array.from({ length: 101 }, (_, i) => ({
      step: i * 10,
      loss: 5 - i / 100,
      ...(i % 25 === 3 ? { valLoss: 4 } : {}),
    }));
    const t = lossVsStepTable(
      [
        { name: 'a', curve },
        { name: 'a', curve: curve.slice(0, 5) },
      ],
      { maxSteps: 11 },
    );
    const first = t.rows.filter((r) => r.head === 'a, line 1 of 2');
    // 11 evenly spaced steps (0, 100, ... 1000) and the 4 validation steps (30, 280, 530, 780), in step order.
    expect(first.map((r) => Number(r.cells[0]))).toEqual([
      0, 30, 100, 200, 280, 300, 400, 500, 530, 600, 700, 780, 800, 900, 1000,
    ]);
    expect(first[1].cells).toEqual(['30', '4.970', '4.000']);
    expect(first[0].cells[2]).toBe('–');
    expect(t.rows.filter((r) => r.head === 'a, line 2 of 2')).toHaveLength(5);
    expect(t.note).toContain('At most 11');
    expect(lossVsStepTable([{ name: 'a', curve }], { hidden: new Set(['a']) }).rows).toEqual([]);
    expect(evenIndices(3, 5)).toEqual([0, 1, 2]);
    expect(evenIndices(10, 4)).toEqual([0, 3, 6, 9]);
  });

  test('answer figure: a row per run, each panel its mean and every seed', () => {
    const t = answerTable(answerData(docs, DEFAULT_ANSWER));
    expect(t.columns).toEqual(['run', 'loss at T = 16', 'loss at 4x']);
    expect(t.rows[0].head).toBe('softmax');
    expect(t.rows[0].cells[0]).toBe('3.002 (seed 1: 3.001, seed 3: 3.003)');
    expect(t.rows.find((r) => r.head === 'lssa')?.cells).toEqual(['2.501', '2.701']);
  });

  test('per position, passkey and diagnostics: the plotted means, a row or column per run', () => {
    const pp = perPositionTable(docs);
    expect(pp.columns).toEqual(['position (multiples of T)', 'softmax', 'lssa']);
    // Longest length 64, four buckets of 16: centres 8, 24, 40, 56 = 0.5, 1.5, 2.5, 3.5 x T.
    expect(pp.rows.map((r) => r.head)).toEqual(['0.50x T', '1.50x T', '2.50x T', '3.50x T']);
    expect(pp.rows[1].cells).toEqual(['3.100 ±0.000', '2.600']);

    const pk = passkeyTable([withPasskey(docs[0], [1, 0.5]), withPasskey(docs[1], [1, 0.25]), docs[2]]);
    expect(pk.columns).toEqual(['run', 'length 16', 'length 32']);
    // Chance is 10^-digits: five digits fit at both lengths (the generator's, for results that predate the record).
    expect(pk.rows).toEqual([
      { head: 'softmax', cells: ['100.0% ±0.0', '37.5% ±12.5'] },
      { head: 'chance (10^-digits)', cells: ['0.001%', '0.001%'] },
    ]);
    // A recorded key length wins over the generator's (here 2 digits at length 16).
    const two = withPasskey(docs[0], [1, 0.5]);
    two.passkey!.points[0] = { ...two.passkey!.points[0], digits: 2 };
    expect(passkeyTable([two]).rows[1].cells).toEqual(['1%', '0.001%']);
    expect(passkeyTable([docs[2]]).rows).toEqual([]);

    // fakeDoc's heads have entropy 1 and 2 on each layer.
    const dg = diagnosticsTable(docs, 'entropy', 16, new Set(['softmax']));
    expect(dg.columns).toEqual(['run', 'layer 1', 'layer 2']);
    expect(dg.rows).toEqual([{ head: 'lssa', cells: Array(2).fill('1.500 (heads 1.000 to 2.000)') }]);
  });

  test('attention map: pooled into blocks of the causal cells, the pooling stated', () => {
    const R = 16;
    // Cell (r, c) = r + c / 100 on and below the diagonal.
    const cells = Array.from({ length: R * R }, (_, i) =>
      i % R <= Math.floor(i / R) ? Math.floor(i / R) + (i % R) / 100 : 0,
    );
    const t = attentionMapTable({ length: 64, layer: 1, head: 0, window: 0, R, cells }, 4);
    expect(t.columns).toEqual(['query positions', 'keys 1-16', 'keys 17-32', 'keys 33-48', 'keys 49-64']);
    expect(t.rows[0].head).toBe('queries 1-16');
    // Block (0, 0): rows 0..3, columns 0..r: 10 cells of r + c/100; the r sum to 20, the c to 10.
    expect(Number(t.rows[0].cells[0])).toBeCloseTo((20 + 0.1) / 10, 2);
    expect(t.rows[0].cells.slice(1)).toEqual(['–', '–', '–']);
    expect(t.rows[3].cells.every((c) => c !== '–')).toBe(true);
    expect(t.note).toContain('16 x 16 cells pooled into 4 x 4');
    expect(attentionMapTable(null).rows).toEqual([]);
  });
});
