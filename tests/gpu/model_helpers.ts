// Shared helpers of the whole-model GPU tests.
import { DEFAULT_MODEL, type ModelConfig } from '../../src/config';
import { type GptModel, Graph } from '../../src/model/gpt';
import { STAT_LOSS } from '../../src/model/shapes';
import { compare } from '../../src/util/compare';
import { Rng } from '../../src/util/random';

const B = 3;
const T = 9;
const V = 23;

/** The whole-model tests' tiny model: 2 softmax layers of width 32 (2 heads), V = 23, trained at T = 9, seed 7. */
export function tinyConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    vocabSize: V,
    nLayer: 2,
    nEmbd: 32,
    nHead: 2,
    layers: ['softmax', 'softmax'],
    trainLength: T,
    seed: 7,
    ...over,
  };
}

/** Random tokens; targets random, or a learnable function of the input. */
export function randomBatch(
  seed: number,
  learnable = false,
  n = B * T,
  vocab = V,
): { input: Uint32Array; target: Uint32Array } {
  const rng = new Rng(seed);
  const input = new Uint32Array(n);
  const target = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    input[i] = rng.int(vocab);
    target[i] = learnable ? (input[i] * 3 + 1) % vocab : rng.int(vocab);
  }
  return { input, target };
}

/** GPU loss and gradient arena for one batch (no optimiser step). */
export async function gpuLossAndGrads(
  model: GptModel,
  batch: { input: Uint32Array; target: Uint32Array },
  reweightP: number | null = null,
  streamTokens?: Uint32Array,
) {
  const ctx = model.ctx;
  const graph = new Graph(model, B, T, { training: true, reweightP, streamTokens });
  graph.setBatch(batch.input, batch.target);
  const enc = ctx.device.createCommandEncoder();
  enc.clearBuffer(model.grads);
  const pass = enc.beginComputePass();
  graph.forward.encode(pass);
  graph.backward.encode(pass);
  pass.end();
  ctx.device.queue.submit([enc.finish()]);
  const loss = (await ctx.read(model.stats, 1, STAT_LOSS))[0];
  const grads = await model.read('grads');
  graph.destroy();
  return { loss, grads };
}

/**
 * Per-tensor gradient check. Tolerance: relative 2e-3 plus an absolute floor
 * of 1e-3 x the tensor's largest reference entry — f32 through two blocks of
 * reductions (N*C terms per weight gradient) against f64.
 */
export function checkGrads(model: GptModel, got: Float32Array, want: Float64Array): string[] {
  const failures: string[] = [];
  for (const e of model.table.entries) {
    const g = got.subarray(e.offset, e.offset + e.size);
    const w = want.subarray(e.offset, e.offset + e.size);
    const scale = w.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    if (scale === 0) failures.push(`${e.name}: reference gradient is all zero (test would be vacuous)`);
    const c = compare(e.name, g, w, { rtol: 2e-3, atol: 1e-3 * scale + 1e-9 });
    if (!c.ok) failures.push(c.report);
  }
  return failures;
}
