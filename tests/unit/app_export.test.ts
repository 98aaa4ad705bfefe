// Exports and result links (DOM-free parts): CSV, links that carry results,
// students' links for the compare view, the re-run check, and the plots'
// data (mean and spread across seeds).
import { describe, expect, test } from 'vitest';
import {
  diffFromShared,
  lossVsLengthCsv,
  readResultsFile,
  readStudentLink,
  resultsJson,
  trainingCurveCsv,
} from '../../app/export';
import { PRESETS, presetExperiment } from '../../src/experiment/presets';
import { linkWithResults, readLinkResults } from '../../src/experiment/results_link';
import { compressText, decodeExperiment } from '../../src/experiment/url';
import { seriesOf } from '../../src/report/common';
import { diagnosticsPoints } from '../../src/report/diagnostics';
import { lossVsLengthPoints } from '../../src/report/lossVsLength';
import { perPositionPoints } from '../../src/report/perPosition';
import { fakeDoc } from './app_fixture';

describe('files', () => {
  test('CSV has one row per run, evaluation and length; labels cannot become spreadsheet formulas', () => {
    const docs = [fakeDoc('softmax'), fakeDoc('=HYPERLINK("x"), evil')];
    const lines = lossVsLengthCsv(docs).trim().split('\n');
    expect(lines[0]).toBe('run,seed,evaluation,reweight_p,hybridskip,length,factor,windows,mean_loss,tail_loss');
    expect(lines).toHaveLength(1 + 2 * 3);
    expect(lines[1].startsWith('softmax,1,as trained,,false,16,1,4,')).toBe(true);
    expect(lines[4].startsWith(`"'=HYPERLINK(""x""), evil"`)).toBe(true);
    expect(trainingCurveCsv(docs).trim().split('\n')).toHaveLength(1 + 2 * 2);
  });

  test('a results file reads back; a bad one is rejected naming the field', () => {
    const docs = [fakeDoc('a'), fakeDoc('b')];
    expect(readResultsFile(resultsJson(docs)).map((d) => d.label)).toEqual(['a', 'b']);
    expect(readResultsFile(JSON.stringify(docs[0]))).toHaveLength(1);
    const bad = structuredClone(docs[1]) as unknown as { lossVsLength: { lengths: { meanLoss: unknown }[] }[] };
    bad.lossVsLength[0].lengths[0].meanLoss = 'NaN';
    expect(() => readResultsFile(JSON.stringify([docs[0], bad]))).toThrow(
      /run 2 in the file: .*lossVsLength\.0\.lengths\.0\.meanLoss/,
    );
    expect(() => readResultsFile('{not json')).toThrow(/not valid JSON/);
  });
});

describe('links with results', () => {
  test('round trip: the experiment and every document come back', async () => {
    const e = presetExperiment(PRESETS[0]);
    const docs = [fakeDoc('softmax'), fakeDoc('lssa', { base: 2.5 })];
    const q = await linkWithResults(e, null, docs);
    const d = decodeExperiment(q.toString());
    expect(d.problems).toEqual([]);
    expect(d.experiment).toEqual(e);
    // Fractional numbers travel at LINK_DIGITS significant digits: each within 1e-6 relative of the original.
    const back = await readLinkResults(d.results!);
    expect(back.map((x) => x.label)).toEqual(docs.map((x) => x.label));
    const flat = (v: unknown): number[] =>
      typeof v === 'number' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(flat) : [];
    const [a, b] = [flat(docs), flat(back)];
    expect(b).toHaveLength(a.length);
    for (const [i, x] of a.entries()) expect(Math.abs(b[i] - x)).toBeLessThanOrEqual(1e-6 * Math.abs(x));
  });

  test('bad results in a link are rejected with a reason', async () => {
    await expect(readLinkResults('!!!')).rejects.toThrow(/cannot be read; the link was probably cut off/);
    await expect(readLinkResults('AAAA')).rejects.toThrow(/cannot be read/);
    await expect(readLinkResults(await compressText('{"a":1}'))).rejects.toThrow(/not a list/);
    await expect(readLinkResults(await compressText(JSON.stringify([{ schema: 'x' }])))).rejects.toThrow(
      /run 1 in the link/,
    );
  });

  test("students' links: labelled by the student's name, runs relabelled, links without results refused", async () => {
    const e = { ...presetExperiment(PRESETS[0]), label: 'Ada' };
    const q = await linkWithResults(e, null, [fakeDoc('softmax')]);
    const got = await readStudentLink(`http://127.0.0.1:4317/?${q.toString()}`, 1);
    expect(got.student).toBe('Ada');
    expect(got.docs[0].label).toBe('Ada: softmax');
    const anon = await readStudentLink(
      (await linkWithResults(presetExperiment(PRESETS[1]), null, [fakeDoc('x')])).toString(),
      4,
    );
    expect(anon.student).toMatch(/Re-weighting|student 4/);
    await expect(readStudentLink('http://x/?v=1&L=2', 2)).rejects.toThrow(/no results/);
  });

  test('the re-run check reports the per-length and largest difference', () => {
    const d = diffFromShared(fakeDoc('a', { base: 3 }), fakeDoc('a', { base: 3.01 }));
    expect(d.lengths.map((l) => l.length)).toEqual([16, 32, 64]);
    expect(d.maxAbs).toBeCloseTo(0.01, 12);
  });
});

describe('plot data', () => {
  test('runs of one config with several seeds become one series with mean and min..max', () => {
    const docs = [fakeDoc('softmax', { seed: 1 }), fakeDoc('softmax', { seed: 2 }), fakeDoc('lssa', { base: 2 })];
    expect(seriesOf(docs).map((s) => [s.name, s.docs.length])).toEqual([
      ['softmax', 2],
      ['lssa', 1],
    ]);
    const pts = lossVsLengthPoints(docs).filter((p) => p.series === 'softmax');
    expect(pts.map((p) => p.factor)).toEqual([1, 2, 4]);
    expect(pts[0].n).toBe(2);
    expect(pts[0].lo).toBeCloseTo(3.001, 12);
    expect(pts[0].hi).toBeCloseTo(3.002, 12);
    expect(pts[0].mean).toBeCloseTo(3.0015, 12);
    expect(perPositionPoints(docs).filter((p) => p.name === 'lssa')).toHaveLength(4);
    const diag = diagnosticsPoints(docs, 'entropy');
    expect(diag.filter((p) => p.name === 'softmax').map((p) => [p.layer, p.mean, p.lo, p.hi])).toEqual([
      [1, 1.5, 1, 2],
      [2, 1.5, 1, 2],
    ]);
  });

  test('two different configs with one label stay apart', () => {
    const a = fakeDoc('run');
    const b = { ...fakeDoc('run'), model: { ...fakeDoc('run').model, nHead: 4 } };
    expect(seriesOf([a, b]).map((s) => s.name)).toEqual(['run', 'run (2)']);
  });
});
