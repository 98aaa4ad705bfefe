// Issue 15's quick demo: its committed reference runs (docs/figures/quick-demo.json) are runs of its current
// definition, and on every seed softmax's loss at 16x is above lssar's by QUICK_DEMO_GAP.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultsDoc } from '../../src/eval/results';
import { resolveRuns } from '../../src/experiment/experiment';
import { presetExperiment, QUICK_DEMO, QUICK_DEMO_GAP } from '../../src/experiment/presets';

describe('the quick demo against its committed reference runs', () => {
  const docs = JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../../docs/figures/quick-demo.json'), 'utf8'),
  ) as ResultsDoc[];
  const runs = resolveRuns(presetExperiment(QUICK_DEMO));
  const at16 = (d: ResultsDoc) => d.lossVsLength[0].lengths.find((l) => l.factor === 16)!.meanLoss;

  it('every reference run is a run of the current definition (seeds 1-3)', () => {
    expect(docs.map((d) => `${d.label} ${d.seed}`).sort()).toEqual(
      runs.flatMap((r) => [1, 2, 3].map((s) => `${r.label} ${s}`)).sort(),
    );
    for (const d of docs) {
      const r = runs.find((x) => x.label === d.label)!;
      expect(d.train.steps, d.label).toBe(r.train.steps);
      expect([d.train.batchSize, d.train.seqLen, d.train.lr]).toEqual([r.train.batchSize, r.train.seqLen, r.train.lr]);
      expect([d.model.nLayer, d.model.nEmbd, d.model.nHead, d.model.positional]).toEqual([
        r.model.nLayer,
        r.model.nEmbd,
        r.model.nHead,
        r.model.positional,
      ]);
      expect(d.model.layers).toEqual(Array(r.model.nLayer).fill(r.model.mechanism));
      expect([d.evaluation.factors, d.evaluation.windows, d.evaluation.diagnostics]).toEqual([
        r.eval.factors,
        r.eval.windows,
        r.eval.diagnostics,
      ]);
    }
  });

  it(`on every seed softmax is above lssar at 16x by at least ${QUICK_DEMO_GAP} nats`, () => {
    for (const seed of [1, 2, 3]) {
      const [softmax, lssar] = QUICK_DEMO.runs.map((r) => docs.find((d) => d.label === r.label && d.seed === seed)!);
      expect(at16(softmax) - at16(lssar), `seed ${seed}`).toBeGreaterThanOrEqual(QUICK_DEMO_GAP);
    }
  });
});
