// Issue 14's presets: valid runs, links, their answer figures, the budget rule across T, and
// windowed evaluation where the issue asks for it.
import { describe, expect, test } from 'vitest';
import { resolveRuns } from '../../src/experiment/experiment';
import { ISSUE14_PRESETS, presetById, presetExperiment, WINDOWS_PER_STEP } from '../../src/experiment/presets';
import { decodeExperiment, encodeExperiment } from '../../src/experiment/url';

describe("issue 14's presets", () => {
  test('each resolves to valid runs, round-trips through a link and is found by id', () => {
    expect(ISSUE14_PRESETS.map((p) => p.id)).toEqual(['lssa-parts', 'train-length', 'passkey']);
    for (const p of ISSUE14_PRESETS) {
      const e = presetExperiment(p);
      expect(resolveRuns(e).length, p.id).toBe(p.runs.length);
      const back = decodeExperiment(encodeExperiment(e).toString());
      expect(back.problems).toEqual([]);
      expect(back.experiment).toEqual(e);
      expect(presetById(p.id)).toBe(p);
      const labels = new Set(p.runs.map((r) => String(r.label)));
      const a = p.answer!;
      if (a.kind === 'ratio') expect(a.groups.flatMap((g) => g.runs).sort()).toEqual([...labels].sort());
    }
  });

  test('which part of lssa: the three variants beside softmax, lssa and lssar, windowed', () => {
    const runs = resolveRuns(presetExperiment(presetById('lssa-parts')!));
    expect(runs.map((r) => r.model.mechanism)).toEqual(['softmax', 'lssa', 'lssar', 'softplus', 'lssacap', 'lssmax']);
    for (const r of runs) expect(r.eval.windowed).toBe(true);
  });

  test('training length: the same steps and the same windows a step at T = 32, 64, 128, evaluated to 16x', () => {
    const runs = resolveRuns(presetExperiment(presetById('train-length')!));
    expect([...new Set(runs.map((r) => r.train.seqLen))]).toEqual([32, 64, 128]);
    for (const r of runs) {
      expect(r.train.batchSize).toBe(WINDOWS_PER_STEP);
      expect(r.train.steps).toBe(runs[0].train.steps);
      expect(Math.max(...r.eval.factors) * r.train.seqLen).toBe(16 * r.train.seqLen);
      expect(r.eval.windowed).toBe(true);
    }
    expect(Math.max(...runs.map((r) => 16 * r.train.seqLen))).toBe(2048);
  });

  test('windowed evaluation on presets 1 and 7; passkey trains and tests on the passkey task', () => {
    for (const id of ['extrapolation', 'positional'])
      for (const r of resolveRuns(presetExperiment(presetById(id)!))) expect(r.eval.windowed, id).toBe(true);
    for (const r of resolveRuns(presetExperiment(presetById('passkey')!))) {
      expect([r.data.source, r.data.task]).toEqual(['task', 'passkey']);
      expect(r.eval.passkeyTrials).toBeGreaterThan(0);
    }
  });
});
