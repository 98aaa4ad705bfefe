// What only the lab's GPU can give an export: its WGSL gradients of one batch
// at initialisation and its first training losses. A fresh model of the run's
// config (the same seeded initial weights as the run) trains its first steps
// on the run's batches (the same seeded sampler as Engine.train), each step a
// logging point; the run itself is left as it was. The engine is
// deterministic, so these are the run's own first steps (the CLI test checks
// them against the run's logged losses).
import type { ModelConfig, TrainConfig } from '../config';
import { trainBatch } from '../data/batch';
import type { Engine } from '../engine';
import { Trainer } from '../train/trainer';
import { Rng } from '../util/random';

export interface TrainingStart {
  /** The initial parameter arena (the lab's layout, src/model/params.ts). */
  init: Float32Array;
  /** The gradient arena of the first batch at the initial weights. */
  grads: Float32Array;
  /** The batches of the first steps, [steps, B, T] each. */
  inputs: Uint32Array;
  targets: Uint32Array;
  /** The training loss of each of those steps. */
  losses: number[];
}

/** How many first steps an export checks. */
export const CHECKED_STEPS = 20;

export async function captureTrainingStart(
  engine: Engine,
  model: ModelConfig,
  train: TrainConfig,
  docs: Uint32Array[],
  stream: Uint32Array | undefined,
): Promise<TrainingStart> {
  const steps = Math.min(CHECKED_STEPS, train.steps);
  const gm = engine.createModel(model);
  const trainer = new Trainer(gm, train, stream?.subarray(0, train.seqLen), { checkpoints: false });
  try {
    // SYNC: export only — the initial weights.
    const init = await gm.read('params');
    const rng = new Rng(train.seed);
    const n = train.batchSize * train.seqLen;
    const inputs = new Uint32Array(steps * n);
    const targets = new Uint32Array(steps * n);
    const losses: number[] = [];
    let grads: Float32Array = new Float32Array(0);
    for (let s = 0; s < steps; s++) {
      const batch = trainBatch(docs, train.batchSize, train.seqLen, rng);
      inputs.set(batch.input, s * n);
      targets.set(batch.target, s * n);
      // SYNC: export only — every one of these steps is a logging point.
      const log = await trainer.trainStep(batch, true);
      losses.push(log!.loss);
      // SYNC: export only — the first batch's gradients (the step's update leaves the grads arena as it is).
      if (s === 0) grads = await gm.read('grads');
    }
    return { init, grads, inputs, targets, losses };
  } finally {
    trainer.destroy();
    gm.destroy();
  }
}
