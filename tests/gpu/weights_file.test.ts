// A run rebuilt from its results file's weights (src/eval/weights_block.ts)
// speaks exactly as the run that trained: the same greedy continuation and
// the same passage losses, bit for bit, through the run host's 'weights' and
// 'keep' commands and a JSON round trip of the block.
import { expect, test } from 'vitest';
import { decodeWeights, encodeWeights } from '../../src/eval/weights_block';
import { makeRun } from '../../src/experiment/run_config';
import { LabCore } from '../../src/host/core';
import type { Command, Event } from '../../src/host/protocol';

const TEXT = 'the quick brown fox jumps over the lazy dog; a cat sat on a mat. '.repeat(80);

/** A host that answers one command at a time with its last event. */
function host() {
  let last: Event | null = null;
  // No attention maps: they cost time and are not what this test checks.
  const core = new LabCore(
    (e) => {
      if (e.type !== 'progress' && e.type !== 'metrics') last = e;
    },
    { attentionMaps: false },
  );
  return async (cmd: Command): Promise<Event> => {
    await core.handle(cmd);
    if (last?.type === 'error') throw new Error(last.message);
    return last!;
  };
}

test('greedy continuation and passage losses from a file’s weights equal the trained run’s, bit for bit', async () => {
  const run = makeRun(
    {
      model: { nLayer: 1, nEmbd: 32, nHead: 2 },
      train: { steps: 6, batchSize: 2, seqLen: 16, warmupSteps: 1, logEvery: 3, evalEvery: 6, lr: 1e-2 },
      eval: { factors: [1], windows: 2, buckets: 4, passkeyTrials: 0 },
    },
    { label: 'tiny text', data: { source: 'text' } },
  );
  const trained = host();
  const results = await trained({ type: 'start', runId: 'r1', run, userText: TEXT });
  if (results.type !== 'results') throw new Error(`got ${results.type}`);
  const w = await trained({ type: 'weights', runId: 'r1' });
  if (w.type !== 'weights') throw new Error(`got ${w.type}`);
  const block = JSON.parse(JSON.stringify(encodeWeights(results.doc, w)));

  const loaded = host();
  const fromFile = decodeWeights(block, results.doc);
  expect((await loaded({ type: 'keep', runId: 'f1', ...fromFile })).type).toBe('kept');

  const sample = { contexts: [1, 2], chars: 24, temperature: 0, topK: 0, seed: 1, prompt: 'the quick ' };
  const a = await trained({ type: 'sample', runId: 'r1', request: sample });
  const b = await loaded({ type: 'sample', runId: 'f1', request: sample });
  if (a.type !== 'samples' || b.type !== 'samples') throw new Error('no samples');
  const text = (r: typeof a) => r.result.blocks.map((x) => [x.factor, x.prompt, x.continuation]);
  expect(text(b)).toEqual(text(a));
  expect(a.result.blocks[0].continuation).toHaveLength(24);

  const p = await trained({ type: 'passage', runId: 'r1', request: { factor: 2 } });
  const q = await loaded({ type: 'passage', runId: 'f1', request: { factor: 2 } });
  if (p.type !== 'passage' || q.type !== 'passage') throw new Error('no passage');
  expect(p.result.losses.length).toBeGreaterThan(16);
  // Tolerance: none (toEqual on the float64 numbers): the same weights on the same device give the same bits.
  expect(q.result.chars).toEqual(p.result.chars);
  expect(q.result.losses).toEqual(p.result.losses);
  expect(q.result.top).toEqual(p.result.top);
});
