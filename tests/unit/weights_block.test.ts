// A run's weights in its results file (src/eval/weights_block.ts): the
// round trip is bit-exact; a damaged or foreign block is refused with one
// line while the results still read; the run host keeps a file's weights
// (checked against the run's model) and hands them back unchanged.
import { describe, expect, test } from 'vitest';
import { readResultsFileWithWeights, resultsJson } from '../../app/export';
import { SpeakChannel, speakingRuns } from '../../app/speak';
import type { RunRecord } from '../../app/store';
import { keepFileWeights, withWeights } from '../../app/weights_files';
import { decodeWeights, encodeWeights, type RunWeights, WeightsError } from '../../src/eval/weights_block';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import type { Event } from '../../src/host/protocol';
import { awkwardParams, fakeDoc, textRun } from './app_fixture';

const TEXT = 'the cat sat on the mat. '.repeat(400);

const bitsOf = (p: Float32Array) => Array.from(new Uint32Array(p.buffer, p.byteOffset, p.length));

describe('a weights block', () => {
  const doc = fakeDoc('a');
  const w: RunWeights = { run: textRun(doc), userText: TEXT, params: awkwardParams(1001) };

  test('round-trips bit for bit, through JSON, with its config and text', () => {
    const back = decodeWeights(JSON.parse(JSON.stringify(encodeWeights(doc, w))), doc);
    expect(bitsOf(back.params)).toEqual(bitsOf(w.params));
    expect(back.run).toEqual(w.run);
    expect(back.userText).toBe(TEXT);
  });

  test('a damaged or foreign block is refused with one line', () => {
    const good = encodeWeights(doc, w);
    const flip = good.float32[10] === 'A' ? 'B' : 'A';
    const cases: [unknown, RegExp][] = [
      [{ ...good, float32: good.float32.slice(0, 10) + flip + good.float32.slice(11) }, /checksum does not match/],
      [{ ...good, count: good.count + 1 }, /where 1002 float32 values need 4008/],
      [{ ...good, float32: '%%%%' }, /not valid base64/],
      [{ ...good, fnv1a: 'xyz' }, /weights field 'fnv1a' is invalid/],
      [{ ...good, format: 'other' }, /weights field 'format' is invalid/],
      [{ ...good, run: { ...good.run, model: 'x' } }, /run config does not read/],
      [{ ...good, createdAt: '2020-01-01T00:00:00.000Z' }, /belongs to another run/],
      [encodeWeights(doc, { ...w, run: { ...w.run, model: { ...w.run.model, nLayer: 7 } } }), /another model/],
      [encodeWeights(doc, { ...w, userText: undefined }), /needs its text/],
      ['weights', /weights field '\(block\)' is invalid/],
    ];
    for (const [block, why] of cases) {
      let e: unknown;
      try {
        decodeWeights(block, doc);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(WeightsError);
      expect((e as Error).message).toMatch(why);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  test('a file: a bad block is refused alone, every run still reads', () => {
    const b = fakeDoc('b', { seed: 2 });
    const file = resultsJson([
      { ...doc, weights: encodeWeights(doc, w) },
      { ...b, weights: encodeWeights(doc, w) }, // a's weights pasted onto b
      fakeDoc('c', { seed: 3 }),
    ]);
    const read = readResultsFileWithWeights(file);
    expect(read.docs.map((d) => d.label)).toEqual(['a', 'b', 'c']);
    expect(read.weights.map((x) => x !== undefined)).toEqual([true, false, false]);
    expect(read.refused).toEqual([expect.stringMatching(/^run 2 \(b\): weights: the block belongs to another run/)]);
    expect(bitsOf(read.weights[0]!.params)).toEqual(bitsOf(w.params));
  });
});

describe('the run host with a file’s weights', () => {
  test("'keep' checks the count against the run's model, then 'weights' hands them back unchanged", async () => {
    const { LabCore } = await import('../../src/host/core');
    const { buildParamTable, paramSpecs } = await import('../../src/model/params');
    const { toModelConfig } = await import('../../src/experiment/run_config');
    const { loadData } = await import('../../src/experiment/runner');
    const run = textRun(fakeDoc('a'));
    const data = await loadData(run, { brown: () => Promise.reject(new Error('no Brown')), userText: TEXT });
    if (data.kind !== 'text') throw new Error('text data expected');
    const n = buildParamTable(paramSpecs(toModelConfig(run, data.corpus.tokenizer.size))).total;
    const events: Event[] = [];
    const core = new LabCore((e) => events.push(e));
    const params = awkwardParams(n);
    await core.handle({ type: 'keep', runId: 'f1', run, userText: TEXT, params: awkwardParams(n - 1) });
    await core.handle({ type: 'keep', runId: 'f2', run, userText: TEXT, params });
    await core.handle({ type: 'weights', runId: 'f2' });
    await core.handle({ type: 'weights', runId: 'f1' });
    expect(events.map((e) => [e.type, e.type === 'error' ? e.message : ''])).toEqual([
      ['error', `the weights of run 'f1' hold ${n - 1} values; its model has ${n}`],
      ['kept', ''],
      ['weights', ''],
      ['error', expect.stringMatching(/^no weights kept for run 'f1'/)],
    ]);
    const back = events[2] as Extract<Event, { type: 'weights' }>;
    expect(bitsOf(back.params)).toEqual(bitsOf(params));
    expect(back.userText).toBe(TEXT);
  });

  test('the lab’s path: a file’s weights handed to the engine come back into an export, bit for bit', async () => {
    const { LabCore } = await import('../../src/host/core');
    const { buildParamTable, paramSpecs } = await import('../../src/model/params');
    const { toModelConfig } = await import('../../src/experiment/run_config');
    const doc = fakeDoc('a');
    const run = textRun(doc);
    let core: InstanceType<typeof LabCore> | null = null;
    const ch = new SpeakChannel((cmd) => (void core!.handle(cmd), null));
    core = new LabCore((e) => ch.receive(e));
    // The model's own count for TEXT's vocabulary (the engine refuses any other).
    const { loadData } = await import('../../src/experiment/runner');
    const data = await loadData(run, { brown: () => Promise.reject(new Error('no Brown')), userText: TEXT });
    if (data.kind !== 'text') throw new Error('text data expected');
    const params = awkwardParams(buildParamTable(paramSpecs(toModelConfig(run, data.corpus.tokenizer.size))).total);
    const read = readResultsFileWithWeights(
      resultsJson([{ ...doc, weights: encodeWeights(doc, { run, userText: TEXT, params }) }, fakeDoc('b')]),
    );
    const kept = await keepFileWeights(ch, ['id-a', 'id-b'], read.weights);
    expect([...kept.kept]).toEqual(['id-a']);
    expect(kept.refused).toEqual([]);
    const rec = { id: 'id-a', doc: read.docs[0] } as RunRecord;
    const out = await withWeights(ch, [read.docs[0], read.docs[1]], [rec]);
    expect(out.missing).toEqual(['b']);
    const again = readResultsFileWithWeights(resultsJson(out.docs));
    expect(bitsOf(again.weights[0]!.params)).toEqual(bitsOf(params));
    expect(again.weights[1]).toBeUndefined();
  });

  test('the speak channel takes the answers; a run with a file’s weights can speak', async () => {
    const sent: string[] = [];
    const ch = new SpeakChannel((cmd) => (sent.push(cmd.type), null));
    const asked = ch.ask({ type: 'weights', runId: 'r1' });
    await Promise.resolve();
    await Promise.resolve();
    const w: Event = { type: 'weights', runId: 'r1', run: DEFAULT_RUN, params: new Float32Array(2) };
    expect(ch.receive(w)).toBe(true);
    expect((await asked).type).toBe('weights');
    const rec = (id: string, over: Partial<RunRecord>): RunRecord => ({
      id,
      label: id,
      experimentLabel: 'f.json',
      config: DEFAULT_RUN,
      status: 'shared',
      source: 'file',
      progress: null,
      curve: [],
      doc: fakeDoc(id),
      maps: [],
      error: null,
      createdAt: 1,
      checks: null,
      ...over,
    });
    const { ready, notKept } = speakingRuns([rec('with', { weightsFromFile: true }), rec('without', {})]);
    expect(ready.map((r) => r.id)).toEqual(['with']);
    expect(notKept.map((n) => [n.run.id, n.why])).toEqual([
      ['without', expect.stringMatching(/file carries no weights/)],
    ]);
  });
});
