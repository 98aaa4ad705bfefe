// Whole-model gradient tests for every mechanism the engine trains, uniform
// and in an `alternate` hybrid with softmax (issue: every mechanism).
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, type Mechanism, type ModelConfig, type Positional } from '../../src/config';
import { GptModel } from '../../src/model/gpt';
import { initParams } from '../../src/model/params';
import { expandPattern } from '../../src/model/patterns';
import { ReferenceGpt } from '../../src/reference/gpt';
import { gpu, noGpuErrors } from './gpu';
import { checkGrads, gpuLossAndGrads, randomBatch } from './model_helpers';

const B = 3,
  T = 9,
  V = 23;

function config(layers: Mechanism[], positional: Positional): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    vocabSize: V,
    nLayer: layers.length,
    nEmbd: 32,
    nHead: 2,
    layers,
    positional,
    trainLength: T,
    seed: 5,
    reweight: { mode: 'off', p: 15 },
  };
}

const CASES: [Mechanism, Positional][] = [
  ['lssa', 'rope'],
  ['lssar', 'rope'],
  ['taylor', 'alibi'],
  ['sigmoid', 'rope'],
  ['relu', 'nope'],
  ['nonapprox', 'nope'],
  ['mlp', 'nope'],
  ['rndembqk', 'rope'],
  ['fixedseqqk', 'alibi'],
  ['staticembqk', 'rope'],
];
const STREAM = Uint32Array.from({ length: T }, (_, t) => (t * 5 + 2) % V);

describe('whole model of each mechanism against the float64 reference', () => {
  for (const [mech, pos] of CASES) {
    for (const pattern of ['uniform', 'alternate'] as const) {
      test(`${pattern} ${mech} (${pattern === 'uniform' ? pos : 'rope'})`, async () => {
        const ctx = await gpu();
        const layers = expandPattern(pattern, mech, 2);
        const c = config(layers, pattern === 'uniform' ? pos : 'rope');
        const model = new GptModel(ctx, c);
        const batch = randomBatch(21);
        const { loss, grads } = await noGpuErrors(ctx, () => gpuLossAndGrads(model, batch, null, STREAM));
        const ref = new ReferenceGpt(c, Float64Array.from(initParams(model.table, c.seed)));
        const refGrads = new Float64Array(model.table.total);
        const r = ref.lossAndGrads(batch.input, batch.target, B, T, refGrads, null, STREAM);
        expect(Math.abs(loss - r.loss) / r.loss).toBeLessThan(1e-5);
        expect(checkGrads(model, grads, refGrads)).toEqual([]);
        model.destroy();
      });
    }
  }

  test('training-mode re-weighting on softmax layers', async () => {
    const ctx = await gpu();
    const c = { ...config(['softmax', 'softmax'], 'rope'), reweight: { mode: 'train' as const, p: 3 } };
    const model = new GptModel(ctx, c);
    const batch = randomBatch(22);
    const { loss, grads } = await gpuLossAndGrads(model, batch, 3);
    const ref = new ReferenceGpt(c, Float64Array.from(initParams(model.table, c.seed)));
    const refGrads = new Float64Array(model.table.total);
    const r = ref.lossAndGrads(batch.input, batch.target, B, T, refGrads, 3);
    expect(Math.abs(loss - r.loss) / r.loss).toBeLessThan(1e-5);
    expect(checkGrads(model, grads, refGrads)).toEqual([]);
    model.destroy();
  });

  test('a config where the positional scheme cannot apply is rejected', async () => {
    const ctx = await gpu();
    expect(() => new GptModel(ctx, config(['mlp', 'nonapprox'], 'rope'))).toThrow(
      /no effect when every layer is mlp or nonapprox/,
    );
  });
});
