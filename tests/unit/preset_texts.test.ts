// A preset's texts must not disagree with its config (issue 15: the extrapolation card said "Trained at T = 64"
// while it trained at T = 32). Every "T = N" in a question (not "batch x T = N") names a training length of its
// runs.
import { describe, expect, it } from 'vitest';
import { resolveRuns } from '../../src/experiment/experiment';
import { ISSUE14_PRESETS, PRESETS, presetExperiment, QUICK_DEMO } from '../../src/experiment/presets';

describe('preset texts', () => {
  for (const p of [QUICK_DEMO, ...PRESETS, ...ISSUE14_PRESETS]) {
    it(`${p.id}: every "T = N" in its question is a training length of its runs`, () => {
      const lengths = new Set(resolveRuns(presetExperiment(p)).map((r) => r.train.seqLen));
      const named = [...p.question.matchAll(/(?<!x )\bT = (\d+)/g)].map((m) => Number(m[1]));
      for (const t of named) expect(lengths, `"T = ${t}" in: ${p.question}`).toContain(t);
    });
  }
});
