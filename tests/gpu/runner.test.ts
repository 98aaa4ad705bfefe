// One run end to end through executeRun: text and task data, the results
// document, and the data checks that fire before any GPU work.
import { describe, expect, test } from 'vitest';
import { corpusFromDocuments } from '../../src/data/corpus';
import { Engine } from '../../src/engine';
import { parseResults } from '../../src/eval/results';
import { type DeepPartial, makeRun, type RunConfig } from '../../src/experiment/run_config';
import { executeRun, loadData, RunStopped } from '../../src/experiment/runner';
import { Rng } from '../../src/util/random';
import { gpu } from './gpu';

const ADAPTER = { vendor: 'test', architecture: 'swiftshader', description: 'headless test' };

function tinyBrown() {
  const rng = new Rng(5);
  const words = ['alpha', 'beta', 'gamma', 'delta', 'the', 'of', 'and', 'to'];
  const doc = (n: number) => {
    let s = '';
    while (s.length < n) s += `${words[rng.int(words.length)]} `;
    return s.slice(0, n);
  };
  return corpusFromDocuments('tiny', [doc(3000), doc(3000)], [doc(300), doc(300), doc(200)]);
}

const small: DeepPartial<RunConfig> = {
  model: { nLayer: 2, nEmbd: 32, nHead: 2 },
  train: { steps: 12, batchSize: 4, seqLen: 16, warmupSteps: 2, logEvery: 4, evalEvery: 8, lr: 1e-2 },
  eval: { factors: [1, 4], windows: 4, buckets: 4 },
};

describe('executeRun', () => {
  test('a text run gives a valid results document whose 1x loss is the last validation loss', async () => {
    const ctx = await gpu();
    const engine = new Engine(ctx.device);
    const run = makeRun(small, {
      label: 'tiny lssar',
      model: { mechanism: 'lssar' },
      eval: { reweightSweep: [3], passkeyTrials: 2 },
    });
    const data = await loadData(run, { brown: async () => tinyBrown() });
    const progress: number[] = [];
    const doc = await executeRun(engine, run, data, ADAPTER, { onProgress: (p) => progress.push(p.step) });
    const back = parseResults(JSON.stringify(doc));
    expect(back.label).toBe('tiny lssar');
    expect(back.trainingCurve.map((c) => c.step)).toEqual([4, 8, 12]);
    expect(back.trainingCurve[2].valLoss).toBe(back.lossVsLength[0].lengths[0].meanLoss);
    expect(back.lossVsLength.map((l) => l.label)).toEqual(['as trained', 're-weighting p = 3']);
    expect(back.lossVsLength[0].lengths.map((l) => l.length)).toEqual([16, 64]);
    expect(back.passkey?.trainedOn).toBe('text');
    expect(back.trainingCurve[2].loss).toBeLessThan(back.trainingCurve[0].loss);
    expect(progress.length).toBeGreaterThan(2);
    expect(ctx.bytesInUse).toBeLessThan(1e6); // the run's buffers were released
  });

  test('a passkey-task run reports passkey accuracy for a model trained on the task', async () => {
    const ctx = await gpu();
    const engine = new Engine(ctx.device);
    const run = makeRun(small, {
      data: { source: 'task', task: 'passkey' },
      train: { seqLen: 32 },
      eval: { factors: [1, 2], passkeyTrials: 3, diagnostics: false },
    });
    const data = await loadData(run, {
      brown: async () => {
        throw new Error('not used');
      },
    });
    const doc = await executeRun(engine, run, data, ADAPTER);
    expect(doc.passkey?.trainedOn).toBe('passkey');
    expect(doc.passkey?.points.map((p) => p.length)).toEqual([32, 64]);
    expect(doc.data.name).toBe('task:passkey');
    for (const l of doc.lossVsLength[0].lengths) expect(Number.isFinite(l.meanLoss)).toBe(true);
  });

  test('stop between steps ends the run with RunStopped and frees its buffers', async () => {
    const ctx = await gpu();
    const engine = new Engine(ctx.device);
    const before = ctx.bytesInUse;
    const run = makeRun(small);
    const data = await loadData(run, { brown: async () => tinyBrown() });
    let n = 0;
    await expect(executeRun(engine, run, data, ADAPTER, { shouldStop: () => ++n > 5 })).rejects.toBeInstanceOf(
      RunStopped,
    );
    expect(ctx.bytesInUse).toBe(before);
  });

  test('data that cannot serve the run is refused before training, with a reason', async () => {
    const tooLong = makeRun(small, { eval: { factors: [1, 64] } });
    await expect(loadData(tooLong, { brown: async () => tinyBrown() })).rejects.toThrow(
      /No validation document is long enough/,
    );
    const text = makeRun(small, { data: { source: 'text' } });
    await expect(loadData(text, { brown: async () => tinyBrown() })).rejects.toThrow(/none was given/);
    await expect(loadData(text, { brown: async () => tinyBrown(), userText: '' })).rejects.toThrow(/empty/i);
  });
});
