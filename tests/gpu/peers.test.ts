// The benchmark's peer models (bench/peers/*) compute the same model as ours:
// loaded with our initial weights, their first loss and every parameter
// gradient match the float64 reference (which our GPU model matches, see
// model.test.ts) and our GPU loss; three AdamW steps give our Trainer's losses.
// So the throughput comparison in `npm run bench` is of like with like.
import { describe, expect, test } from 'vitest';
import type { PeerGpt } from '../../bench/peers/common';
import { initJax, JaxGpt } from '../../bench/peers/jax';
import { initTf, TfGpt } from '../../bench/peers/tf';
import { DEFAULT_TRAIN, type ModelConfig, type TrainConfig } from '../../src/config';
import { GptModel } from '../../src/model/gpt';
import { initParams } from '../../src/model/params';
import { ReferenceGpt } from '../../src/reference/gpt';
import { Trainer } from '../../src/train/trainer';
import { gpu } from './gpu';
import { checkGrads, gpuLossAndGrads, randomBatch, tinyConfig } from './model_helpers';

const B = 3; // the batch shape of model_helpers' gpuLossAndGrads
const T = 9;

const trainCfg: TrainConfig = { ...DEFAULT_TRAIN, steps: 3, batchSize: B, seqLen: T, lr: 1e-2, warmupSteps: 2 };

const peers: [string, (c: ModelConfig, cfg: TrainConfig, p: Float32Array) => Promise<PeerGpt>][] = [
  ['jax-js', async (c, cfg, p) => (await initJax(), new JaxGpt(c, cfg, p))],
  ['TensorFlow.js', async (c, cfg, p) => (await initTf(), new TfGpt(c, cfg, p))],
];

const variants: [string, Partial<ModelConfig>][] = [
  ['softmax, rope', {}],
  ['softmax + lssa, nope', { layers: ['softmax', 'lssa'], positional: 'nope' }],
];

describe.each(peers)('%s peer model', (_name, make) => {
  for (const [vname, over] of variants) {
    test(`first loss and every gradient equal ours (${vname})`, async () => {
      const ctx = await gpu();
      const config = tinyConfig(over);
      const model = new GptModel(ctx, config);
      const params = initParams(model.table, config.seed);
      const batch = randomBatch(21);
      const ours = await gpuLossAndGrads(model, batch);
      const ref = new ReferenceGpt(config, Float64Array.from(params));
      const refGrads = new Float64Array(model.table.total);
      const r = ref.lossAndGrads(batch.input, batch.target, B, T, refGrads);
      const peer = await make(config, trainCfg, params);
      try {
        const got = await peer.lossAndGrads(batch.input, batch.target);
        // f32 losses of ~ln V through the same ops in another order: a few ulps of 3.
        expect(Math.abs(got.loss - ours.loss) / ours.loss).toBeLessThan(1e-5);
        expect(Math.abs(got.loss - r.loss) / r.loss).toBeLessThan(1e-5);
        // Per tensor, the tolerance our own GPU model meets against the reference (model_helpers.checkGrads).
        expect(checkGrads(model, got.grads, refGrads)).toEqual([]);
      } finally {
        peer.destroy();
        model.destroy();
      }
    });
  }

  test('three AdamW steps give our Trainer loss sequence and parameters', async () => {
    const ctx = await gpu();
    const config = tinyConfig();
    const model = new GptModel(ctx, config);
    const params = initParams(model.table, config.seed);
    const trainer = new Trainer(model, trainCfg);
    const peer = await make(config, trainCfg, params);
    try {
      const batches = Array.from({ length: 3 }, (_, i) => randomBatch(300 + i, true));
      for (const b of batches) {
        const ours = (await trainer.trainStep(b, true))!.loss;
        const theirs = (await peer.trainStep(b.input, b.target, true))!;
        // Losses after updates of lr 1e-2: f32 rounding differences amplified by Adam's m/sqrt(v) on tiny gradients.
        expect(Math.abs(theirs - ours) / ours).toBeLessThan(2e-3);
      }
      const a = await model.read('params');
      const b = await peer.readParams();
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      // Three steps move each weight by up to ~3 lr = 3e-2; the two implementations agree to 1% of that.
      expect(maxDiff).toBeLessThan(3e-4);
    } finally {
      peer.destroy();
      trainer.destroy();
      model.destroy();
    }
  });
});
