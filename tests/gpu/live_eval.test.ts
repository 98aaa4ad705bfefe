// The live evaluation (src/eval/live.ts): it runs between training steps and
// must leave training alone (the same seed gives bit-identical losses and
// final evaluation with it on or off), and the run host posts it as
// 'liveEval' events in the run's order of events.
import { describe, expect, test } from 'vitest';
import type { LiveEval } from '../../src/eval/live';
import { type DeepPartial, makeRun, type RunConfig } from '../../src/experiment/run_config';
import { executeRun, loadData } from '../../src/experiment/runner';
import { LabCore } from '../../src/host/core';
import type { Event } from '../../src/host/protocol';
import { Engine } from '../../src/index';
import { gpu } from './gpu';

const ADAPTER = { vendor: 'test', architecture: 'swiftshader', description: 'headless test' };
const noBrown = { brown: async () => Promise.reject(new Error('not used')) };

// A tiny model on the copy task (no corpus to load), logging every step so every training loss is compared.
const tiny: DeepPartial<RunConfig> = {
  model: { nLayer: 2, nEmbd: 32, nHead: 2 },
  data: { source: 'task', task: 'copy' },
  train: { steps: 9, batchSize: 4, seqLen: 16, warmupSteps: 2, logEvery: 1, evalEvery: 4, lr: 1e-2 },
  eval: { factors: [1, 2, 4], windows: 4, buckets: 4, diagnostics: false },
};

describe('live evaluation', () => {
  test('same seed: bit-identical training losses and final evaluation with live evaluation on or off', async () => {
    const ctx = await gpu();
    const engine = new Engine(ctx.device);
    const off = makeRun(tiny, { train: { liveEvalEvery: 0 } });
    const on = makeRun(tiny, { train: { liveEvalEvery: 3 } });
    const data = await loadData(off, noBrown);
    const lives: LiveEval[] = [];
    const a = await executeRun(engine, off, data, ADAPTER, { onLiveEval: (l) => lives.push(l) });
    expect(lives).toEqual([]); // liveEvalEvery 0: none, even with the hook
    const b = await executeRun(engine, on, data, ADAPTER, { onLiveEval: (l) => lives.push(l) });
    // After steps 3 and 6, not 9 (the final evaluation follows the last step); at 1x and 4x, the live factors
    // that this run evaluates.
    expect(lives.map((l) => l.step)).toEqual([3, 6]);
    for (const l of lives) {
      expect(l.points.map((p) => [p.factor, p.length])).toEqual([
        [1, 16],
        [4, 64],
      ]);
      for (const p of l.points) expect(Number.isFinite(p.loss)).toBe(true);
    }
    // Tolerance zero: the same bits, step by step (toEqual on numbers is Object.is, so -0 and NaN count too).
    const curve = (d: typeof a) => d.trainingCurve.map((c) => [c.step, c.loss, c.valLoss ?? null, c.lr]);
    expect(curve(b)).toEqual(curve(a));
    expect(b.trainingCurve.length).toBe(9);
    expect(b.lossVsLength).toEqual(a.lossVsLength);
    // Live points differ from step to step: the model they read was learning.
    expect(lives[1].points[0].loss).not.toBe(lives[0].points[0].loss);
  });

  test('the host posts liveEval events after their step, addressed to the run, before its results', async () => {
    const events: Event[] = [];
    let finished: () => void = () => {};
    const done = new Promise<void>((r) => (finished = r));
    const core = new LabCore(
      (e) => {
        events.push(e);
        if (e.type === 'results' || e.type === 'error') finished();
      },
      { attentionMaps: false },
    );
    const run = makeRun(tiny, { train: { steps: 8, logEvery: 2, liveEvalEvery: 4 } });
    await core.handle({ type: 'start', runId: 'live-1', run });
    await done;
    const seq = events
      .filter((e) => e.type !== 'progress')
      .map((e) => (e.type === 'metrics' || e.type === 'liveEval' ? `${e.type} ${e.step}` : e.type));
    expect(seq).toEqual(['metrics 2', 'metrics 4', 'liveEval 4', 'metrics 6', 'metrics 8', 'results']);
    const live = events.filter((e) => e.type === 'liveEval');
    expect(live.every((e) => e.runId === 'live-1')).toBe(true);
    expect(live[0].type === 'liveEval' && live[0].points.map((p) => p.factor)).toEqual([1, 4]);
  });
});
