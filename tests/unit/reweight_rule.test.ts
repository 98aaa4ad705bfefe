// The re-weighting rule (src/model/reweight_rule.ts), the one place that says
// which layers re-weight with which p: the memory plan and the mixers both read it.
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, MECHANISMS, type ModelConfig } from '../../src/config';
import { planGraph } from '../../src/model/memory_plan';
import { layerReweight, reweightFor } from '../../src/model/reweight_rule';

const withMode = (mode: ModelConfig['reweight']['mode']): ModelConfig => ({
  ...DEFAULT_MODEL,
  reweight: { mode, p: 15 },
});

describe('reweightFor: the graph-level exponent', () => {
  test('train re-weights both graphs, eval only evaluation, off neither; an override wins', () => {
    expect([true, false].map((t) => reweightFor(withMode('train'), t))).toEqual([15, 15]);
    expect([true, false].map((t) => reweightFor(withMode('eval'), t))).toEqual([null, 15]);
    expect([true, false].map((t) => reweightFor(withMode('off'), t))).toEqual([null, null]);
    expect(reweightFor(withMode('train'), true, null)).toBe(null);
    expect(reweightFor(withMode('off'), false, 3)).toBe(3);
  });
});

describe('layerReweight: the exponent of one layer', () => {
  const c = withMode('off');
  test('row-normalised and other-source softmax layers follow the graph; lssar always re-weights', () => {
    const table = Object.fromEntries(MECHANISMS.map((m) => [m, [layerReweight(c, m, null), layerReweight(c, m, 3)]]));
    expect(table).toEqual({
      softmax: [null, 3],
      lssa: [null, 3],
      lssar: [15, 3],
      taylor: [null, 3],
      sigmoid: [null, null],
      relu: [null, null],
      nonapprox: [null, null],
      mlp: [null, null],
      rndembqk: [null, 3],
      fixedseqqk: [null, 3],
      staticembqk: [null, 3],
      softplus: [null, 3],
      lssacap: [null, 3],
      lssmax: [null, 3],
    });
  });

  test('the plan holds a re-weighted buffer exactly where the rule says a layer re-weights', () => {
    // Every mechanism in one model (fixedseqqk's stream cannot share a model with rndembqk's).
    const layers = MECHANISMS.filter((x) => x !== 'fixedseqqk');
    const m: ModelConfig = { ...c, nLayer: layers.length, layers };
    for (const graphP of [null, 3]) {
      const labels = new Set(planGraph(m, 2, 5, { training: true, reweightP: graphP }).map((b) => b.label));
      m.layers.forEach((mech, l) => {
        expect(labels.has(`h${l}.att_reweighted`), `${mech} at p ${graphP}`).toBe(
          layerReweight(m, mech, graphP) !== null,
        );
      });
    }
  });
});
