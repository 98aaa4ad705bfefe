// Learning tests: the engine actually trains. Thresholds are set well away
// from both the untrained loss (ln V) and what the runs reach, so a broken
// gradient or optimiser fails them.
import { expect, test } from 'vitest';
import { DEFAULT_MODEL, DEFAULT_TRAIN, type ModelConfig } from '../../src/config';
import { loadBrown } from '../../src/data/corpus';
import { Engine } from '../../src/engine';
import { DEFAULT_EVAL } from '../../src/eval/lengths';
import { GptModel } from '../../src/model/gpt';
import { Trainer } from '../../src/train/trainer';
import { Rng } from '../../src/util/random';
import { gpu } from './gpu';

test('a tiny model overfits one batch', async () => {
  const ctx = await gpu();
  const V = 29,
    B = 2,
    T = 16;
  const config: ModelConfig = {
    ...DEFAULT_MODEL,
    vocabSize: V,
    nLayer: 2,
    nEmbd: 32,
    nHead: 2,
    layers: ['softmax', 'softmax'],
    trainLength: T,
  };
  const model = new GptModel(ctx, config);
  const trainer = new Trainer(model, {
    ...DEFAULT_TRAIN,
    steps: 150,
    batchSize: B,
    seqLen: T,
    lr: 1e-2,
    warmupSteps: 10,
    weightDecay: 0,
  });
  const rng = new Rng(3);
  const input = Uint32Array.from({ length: B * T }, () => rng.int(V));
  const target = Uint32Array.from({ length: B * T }, () => rng.int(V));
  let first = NaN,
    last = NaN;
  for (let s = 0; s < 150; s++) {
    const log = await trainer.trainStep({ input, target }, s === 0 || s === 149);
    if (log && s === 0) first = log.loss;
    if (log && s === 149) last = log.loss;
  }
  expect(first).toBeGreaterThan(Math.log(V) - 0.3);
  // Memorising 32 random targets: from ln(29) = 3.37 to below 0.3 nats.
  expect(last).toBeLessThan(0.3);
  trainer.destroy();
  model.destroy();
});

test('the default model learns Brown text: validation loss at T falls', async () => {
  const ctx = await gpu();
  const engine = new Engine(ctx.device);
  const corpus = await loadBrown();
  const model = engine.createModel({ vocabSize: corpus.tokenizer.size });
  const evaluation = { ...DEFAULT_EVAL, windows: 16, seed: 1 };
  const before = await engine.validationLoss(model, corpus, 64, evaluation);
  const { valLoss } = await engine.train(
    model,
    corpus,
    { steps: 40, logEvery: 20, evalEvery: 0, warmupSteps: 5, seed: 1 },
    { evaluation },
  );
  // 40 steps of batch 16 x 64 take a char model from ~ln V (4.5) to below
  // the unigram level (~3.1 nats); require a clear fall of at least 1 nat.
  expect(before).toBeGreaterThan(4);
  expect(valLoss).toBeLessThan(before - 1);
  model.destroy();
});
