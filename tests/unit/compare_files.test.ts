// Issue 21: results FILES in the classroom compare view (app/compare_files.ts).
// A file joins the class like a link (named after the file, runs deduplicated
// by run id); a file that does not read is one line naming it; a damaged or
// foreign weights block is refused alone; the runs whose weights the run host
// kept can speak, the rest are listed in one line each.
import { describe, expect, test } from 'vitest';
import { collectStudents } from '../../app/compare_data';
import {
  compareRunId,
  compareVoices,
  fileStudent,
  keepCompareWeights,
  readCompareFile,
  sourcesText,
} from '../../app/compare_files';
import { checkResultsFileSize, RESULTS_FILE_MAX_BYTES, resultsJson } from '../../app/export';
import { SpeakChannel } from '../../app/speak';
import { encodeWeights } from '../../src/eval/weights_block';
import { defaultExperiment } from '../../src/experiment/experiment';
import { toModelConfig } from '../../src/experiment/run_config';
import { loadData } from '../../src/experiment/runner';
import { LabCore } from '../../src/host/core';
import { buildParamTable, paramSpecs } from '../../src/model/params';
import { awkwardParams, fakeDoc, textRun } from './app_fixture';

const TEXT = 'the cat sat on the mat. '.repeat(400);

/** The model's own parameter count for TEXT's vocabulary (the run host refuses any other). */
async function paramCount(doc = fakeDoc('a')): Promise<number> {
  const run = textRun(doc);
  const data = await loadData(run, { brown: () => Promise.reject(new Error('no Brown')), userText: TEXT });
  if (data.kind !== 'text') throw new Error('text data expected');
  return buildParamTable(paramSpecs(toModelConfig(run, data.corpus.tokenizer.size))).total;
}

/** `doc` as a file holds it with its weights. */
const withBlock = (doc: ReturnType<typeof fakeDoc>, n: number) => ({
  ...doc,
  weights: encodeWeights(doc, { run: textRun(doc), userText: TEXT, params: awkwardParams(n) }),
});

describe('reading a results file', () => {
  test('a good file with weights: its runs labelled by the file, each block read', async () => {
    const n = await paramCount();
    const a = fakeDoc('softmax');
    const b = fakeDoc('lssa', { base: 2.5 });
    const f = readCompareFile('Ana-Week-3-results.json', resultsJson([withBlock(a, n), b]));
    expect(f.from).toBe('file Ana-Week-3-results.json');
    expect(f.results.student).toBe('Ana-Week-3');
    expect(f.results.experiment).toBeNull();
    expect(f.results.docs.map((d) => d.label)).toEqual(['Ana-Week-3: softmax', 'Ana-Week-3: lssa']);
    expect(f.runs.map((r) => [r.doc.label, r.weights?.params.length ?? 0])).toEqual([
      ['softmax', n],
      ['lssa', 0],
    ]);
    expect(f.refused).toEqual([]);
  });

  test('a damaged block and one copied from another run: refused with one line each, the results still read', () => {
    const a = fakeDoc('a');
    const b = fakeDoc('b', { seed: 2 });
    const damaged = withBlock(a, 50);
    damaged.weights.float32 = `B${damaged.weights.float32.slice(1)}`;
    const f = readCompareFile('ben.json', resultsJson([damaged, { ...b, weights: withBlock(a, 50).weights }]));
    expect(f.results.docs).toHaveLength(2);
    expect(f.runs.map((r) => r.weights)).toEqual([undefined, undefined]);
    expect(f.refused).toEqual([
      'file ben.json: weights refused (its results still loaded): run 1 (a): weights: the checksum does not match ' +
        '(the file is damaged)',
      expect.stringMatching(/^file ben\.json: .*run 2 \(b\): weights: the block belongs to another run/),
    ]);
    expect(f.runs[0].refused).toMatch(/checksum/);
  });

  test('files that do not read: one line naming the file', () => {
    for (const [text, why] of [
      ['', /^file x\.json: the file is empty$/],
      ['  \n', /^file x\.json: the file is empty$/],
      ['{"runs": [', /^file x\.json: the file is not valid JSON/],
      ['{"hello": 1}', /^file x\.json: run 1 in the file is not a results document: results field/],
      ['[]', /^file x\.json: the file holds no runs$/],
      [
        resultsJson([fakeDoc('a'), { ...fakeDoc('b'), lossVsLength: 'no' as unknown as [] }]),
        /^file x\.json: run 2 in the file: results/,
      ],
    ] as const)
      expect(() => readCompareFile('x.json', text), JSON.stringify(text)).toThrow(why);
  });

  test('a file too large is refused by its size, before it is read', () => {
    expect(() => checkResultsFileSize(RESULTS_FILE_MAX_BYTES)).not.toThrow();
    expect(() => checkResultsFileSize(RESULTS_FILE_MAX_BYTES + 1)).toThrow(/^the file is 128 MB; the limit is 128 MB$/);
    expect(() => checkResultsFileSize(300 * 2 ** 20)).toThrow(/^the file is 300 MB/);
  });

  test('a file is named after its file name', () => {
    expect(fileStudent('Ana-Week-3-results.json')).toBe('Ana-Week-3');
    expect(fileStudent('shard-2.json')).toBe('shard-2');
    expect(fileStudent('results.json')).toBe('results.json');
  });
});

describe('files in the class', () => {
  test('deduplicated by run id with links and other files; who can speak, and one line for the rest', async () => {
    const n = await paramCount();
    const a = fakeDoc('softmax');
    const b = fakeDoc('lssa', { base: 2.5 });
    const c = fakeDoc('alibi', { base: 2.7 });
    const ana = readCompareFile('ana.json', resultsJson([withBlock(a, n), b]));
    const again = readCompareFile('ana (1).json', resultsJson([a]));
    const ben = readCompareFile('ben.json', resultsJson([c]));
    const { students, notes } = collectStudents(
      [ana, again, ben].map((f) => ({ from: f.from, r: f.results })),
      null,
    );
    expect(students.map((s) => [s.name, s.from, s.docs.length])).toEqual([
      ['ana', 'file ana.json', 2],
      ['ben', 'file ben.json', 1],
    ]);
    expect(notes).toEqual(['file ana (1).json: the same results as file ana.json (ana); left out']);
    // A file carries no experiment link: with an assignment, it is said to be unchecked, never flagged.
    const assignment = { experiment: defaultExperiment(), locked: ['train.steps'] };
    const checked = collectStudents([{ from: ben.from, r: ben.results }], assignment);
    expect(checked.students[0].flags).toEqual([]);
    expect(checked.notes).toEqual([
      "file ben.json: not checked against the assignment's locks (a results file carries no experiment link)",
    ]);

    // The weights go to a run host through the lab's speak channel; the one kept can speak.
    let core: LabCore | null = null;
    const ch = new SpeakChannel((cmd) => (void core!.handle(cmd), null));
    core = new LabCore((e) => ch.receive(e));
    const { kept, problems } = await keepCompareWeights(ch, ana);
    expect(problems).toEqual([]);
    expect([...kept]).toEqual([[compareRunId(a), null]]);
    expect(compareRunId(a)).toMatch(/^compare-[0-9a-f]{12}$/);
    const voices = compareVoices(students, kept);
    expect(voices.ready).toEqual([{ id: compareRunId(a), label: 'ana: softmax' }]);
    expect(voices.notKept.map((x) => `${x.run.label}: ${x.why}`)).toEqual([
      'ana: 1 of its runs: no weights in this file; export it “with weights” to let it speak',
      'ben: no weights in this file; export it “with weights” to let it speak',
    ]);
  });

  test('a block the run host refuses (a count the model does not have): one line, and it cannot speak', async () => {
    const n = await paramCount();
    const a = fakeDoc('softmax');
    const f = readCompareFile('ana.json', resultsJson([withBlock(a, n - 1)]));
    let core: LabCore | null = null;
    const ch = new SpeakChannel((cmd) => (void core!.handle(cmd), null));
    core = new LabCore((e) => ch.receive(e));
    const { kept, problems } = await keepCompareWeights(ch, f);
    const why = `the weights of run '${compareRunId(a)}' hold ${n - 1} values; its model has ${n}`;
    expect(problems).toEqual([`file ana.json: weights not kept: run 1: ${why}`]);
    const { students } = collectStudents([{ from: f.from, r: f.results }], null);
    const voices = compareVoices(students, kept);
    expect(voices.ready).toEqual([]);
    expect(voices.notKept.map((x) => x.why)).toEqual(['its weights were refused (the run host did not keep them)']);
  });

  test('a link student is told results links carry no weights', async () => {
    const f = readCompareFile('Ben.json', resultsJson([fakeDoc('softmax')]));
    const { students } = collectStudents([{ from: 'link 2', r: f.results }], null);
    expect(compareVoices(students, new Map()).notKept.map((x) => `${x.run.label}: ${x.why}`)).toEqual([
      'Ben: results links carry no weights; load its results file exported “with weights” to let it speak',
    ]);
  });

  test("a command line --out file (every run a sweep's): merged as a sweep; its runs with weights speak", async () => {
    const n = await paramCount();
    const tag = (pair: number) => ({
      id: '0123456789ab',
      name: 'extrapolation',
      labels: ['softmax'],
      pairs: [
        [0, 1],
        [0, 2],
      ] as [number, number][],
      plan: [2],
      shard: [1, 1] as [number, number],
      pair,
      command: null,
    });
    const a = { ...fakeDoc('softmax', { seed: 1 }), sweep: tag(0) };
    const b = { ...fakeDoc('softmax', { seed: 2 }), sweep: tag(1) };
    const f = readCompareFile('shard-1.json', resultsJson([withBlock(a, n), b]));
    expect(f.results.sweep?.map((d) => d.label)).toEqual(['softmax', 'softmax']);
    const voices = compareVoices([], new Map([[compareRunId(a), null]]), [f]);
    expect(voices.ready).toEqual([{ id: compareRunId(a), label: 'shard-1: softmax (seed 1)' }]);
    expect(voices.notKept.map((x) => `${x.run.label}: ${x.why}`)).toEqual([
      'shard-1: 1 of its runs: no weights in this file; export it “with weights” to let it speak',
    ]);
    expect(sourcesText(['link 1', 'link 2', 'link 2'])).toBe('2 links');
    expect(sourcesText(['link 1', f.from, 'file b.json'])).toBe('1 link and 2 files');
    // The same file twice offers each run once.
    expect(compareVoices([], new Map([[compareRunId(a), null]]), [f, f]).ready).toHaveLength(1);
  });
});
