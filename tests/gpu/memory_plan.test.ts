// The memory plan is what the device allocates (src/model/memory_plan.ts): for
// every mechanism, hybrids, the fixed streams, training and evaluation graphs
// (plain, fused with diagnostics, hybridskip) and the trainer, the buffers a
// component creates are exactly its plan, label by label and byte by byte, and
// the bytes the context holds grow by the plan's total (plus the programs'
// small uniforms, which the plan leaves out). Sizes are tiny and deliberately
// not multiples of 4 or 16.
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, DEFAULT_TRAIN, MECHANISMS, type Mechanism, type ModelConfig } from '../../src/config';
import type { GpuContext } from '../../src/gpu/context';
import { Program } from '../../src/gpu/program';
import { checkFits } from '../../src/model/budget';
import { GptModel, Graph, type GraphOptions } from '../../src/model/gpt';
import { type PlannedBuffer, planGraph, planParams, planTrainer } from '../../src/model/memory_plan';
import { expandPattern } from '../../src/model/patterns';
import { PlanBuilder } from '../../src/model/plan';
import { PlanAllocator } from '../../src/model/plan_allocator';
import { reweightFor } from '../../src/model/reweight_rule';
import { Trainer } from '../../src/train/trainer';
import { gpu } from './gpu';

interface Allocated {
  /** Storage and staging buffers, in creation order. */
  buffers: { label: string; bytes: number }[];
  uniformBytes: number;
  /** Growth of ctx.bytesInUse. */
  delta: number;
}

/** Records what `fn` allocates through the context. */
function allocations(ctx: GpuContext, fn: () => void): Allocated {
  const orig = ctx.createBuffer.bind(ctx);
  const buffers: { label: string; bytes: number }[] = [];
  let uniformBytes = 0;
  const before = ctx.bytesInUse;
  ctx.createBuffer = (label: string, bytes: number, usage: GPUBufferUsageFlags) => {
    const b = orig(label, bytes, usage);
    // Programs' own uniforms (one per dispatch) are not planned; the trainer's planned uniforms are.
    if (usage & GPUBufferUsage.UNIFORM && !/^(adamw hyper|nonfinite step)$/.test(label)) uniformBytes += b.size;
    else buffers.push({ label, bytes: b.size });
    return b;
  };
  try {
    fn();
  } finally {
    ctx.createBuffer = orig;
  }
  return { buffers, uniformBytes, delta: ctx.bytesInUse - before };
}

const total = (xs: { bytes: number }[]) => xs.reduce((a, b) => a + b.bytes, 0);

/** Exactly the plan: same labels, same bytes, same order; the context grew by the plan plus uniforms. */
function expectPlan(got: Allocated, plan: PlannedBuffer[]): void {
  expect(got.buffers).toEqual(plan.map((b) => ({ label: b.label, bytes: b.bytes })));
  expect(got.delta).toBe(total(plan) + got.uniformBytes);
}

const V = 13;
/** The fixed passage of fixedseqqk layers (long enough for every length below). */
const STREAM = Uint32Array.from({ length: 80 }, (_, t) => (t * 5 + 2) % V);

function config(layers: Mechanism[], over: Partial<ModelConfig> = {}): ModelConfig {
  const attention = layers.some((m) => m !== 'mlp' && m !== 'nonapprox');
  return {
    ...DEFAULT_MODEL,
    vocabSize: V,
    nLayer: layers.length,
    nEmbd: 12,
    nHead: 2,
    layers,
    positional: attention ? 'rope' : 'nope',
    trainLength: 7,
    reweight: { mode: 'off', p: 15 },
    ...over,
  };
}

/** The graphs each configuration is built as (B = 3, T = 7: N = 21 rows). */
function graphsOf(c: ModelConfig): [string, GraphOptions][] {
  return [
    ['training', { training: true, reweightP: reweightFor(c, true) }],
    ['training, re-weighted p = 3', { training: true, reweightP: 3 }],
    ['evaluation', { training: false, reweightP: reweightFor(c, false) }],
    ['evaluation, fused + diagnostics', { training: false, fused: true, diagnostics: true, reweightP: 3 }],
    ['evaluation, hybridskip', { training: false, fused: true, skipNonSoftmax: true }],
  ];
}

const CONFIGS: [string, ModelConfig][] = [
  ...MECHANISMS.map((m, i): [string, ModelConfig] => {
    const positional = m === 'mlp' || m === 'nonapprox' ? 'nope' : (['rope', 'alibi', 'nope'] as const)[i % 3];
    return [`${m} x2 (${positional})`, config([m, m], { positional })];
  }),
  ['alternate taylor x3', config(expandPattern('alternate', 'taylor', 3))],
  [
    'middle mlp x4, lssar re-weighting in training',
    config(expandPattern('middle', 'mlp', 4), { reweight: { mode: 'train', p: 4 } }),
  ],
  ['bilateral rndembqk x3 (alibi)', config(expandPattern('bilateral', 'rndembqk', 3), { positional: 'alibi' })],
  ['first fixedseqqk x3, untied', config(expandPattern('first', 'fixedseqqk', 3), { tiedEmbeddings: false })],
  ['top staticembqk x4', config(expandPattern('top', 'staticembqk', 4))],
  // Width 10: no projection is a multiple of 4 (the scalar matmul path), gated width 13.
  [
    'width 10, nonapprox / sigmoid / mlp (alibi)',
    config(['nonapprox', 'sigmoid', 'mlp'], { nEmbd: 10, positional: 'alibi' }),
  ],
  [
    'width 10, lssar / rndembqk, reweight eval',
    config(['lssar', 'rndembqk'], { nEmbd: 10, positional: 'nope', reweight: { mode: 'eval', p: 2 } }),
  ],
];

describe('every graph allocates exactly its plan', () => {
  for (const [name, c] of CONFIGS)
    test(name, async () => {
      const ctx = await gpu();
      let model!: GptModel;
      expectPlan(
        allocations(ctx, () => (model = new GptModel(ctx, c))),
        planParams(c),
      );
      for (const [form, options] of graphsOf(c)) {
        const o = { ...options, streamTokens: STREAM };
        let graph!: Graph;
        const got = allocations(ctx, () => (graph = new Graph(model, 3, 7, o)));
        const plan = planGraph(c, 3, 7, o);
        expect(got.buffers, form).toEqual(plan.map((b) => ({ label: b.label, bytes: b.bytes })));
        expect(got.delta, form).toBe(total(plan) + got.uniformBytes);
        // The limit check reads this very plan.
        expect(checkFits(c, 3, 7, ctx.device.limits, o).graph).toEqual(plan);
        graph.destroy();
      }
      const before = ctx.bytesInUse;
      model.destroy();
      expect(before - ctx.bytesInUse).toBe(total(planParams(c)));
    });

  test('split-K and W^T scratch: a long batch (K = 264) through every matmul', async () => {
    const ctx = await gpu();
    for (const c of [config(['softmax', 'mlp']), config(['staticembqk', 'fixedseqqk'], { nEmbd: 20 })]) {
      const model = new GptModel(ctx, c);
      const options = { training: true, reweightP: null, streamTokens: STREAM };
      let graph!: Graph;
      const got = allocations(ctx, () => (graph = new Graph(model, 4, 66, options)));
      const plan = planGraph(c, 4, 66, options);
      expect(plan.some((b) => /split-K/.test(b.label))).toBe(true);
      expectPlan(got, plan);
      graph.destroy();
      model.destroy();
    }
  });

  test('the trainer: its graph, then its own buffers and optimiser scratch', async () => {
    const ctx = await gpu();
    const c = config(['lssar', 'rndembqk'], { positional: 'alibi' });
    const model = new GptModel(ctx, c);
    for (const checkpoints of [true, false]) {
      let trainer!: Trainer;
      const cfg = { ...DEFAULT_TRAIN, batchSize: 3, seqLen: 7 };
      const got = allocations(ctx, () => (trainer = new Trainer(model, cfg, undefined, { checkpoints })));
      const plan = [...planGraph(c, 3, 7, true), ...planTrainer(c, checkpoints)];
      expectPlan(got, plan);
      trainer.destroy();
    }
    model.destroy();
  });
});

describe('the plan allocator', () => {
  test('refuses an unplanned label, a second take, differing scratch and unused buffers', async () => {
    const ctx = await gpu();
    const plan = new PlanBuilder().buf('a', 5).shared('s', 3).scratch('forward', 'x W^T', 'matmul W^T', 7).entries;
    const before = ctx.bytesInUse;
    const a = new PlanAllocator(ctx, plan);
    expect(ctx.bytesInUse - before).toBe(32 + 16 + 32); // 5, 3 and 7 floats, rounded up to 16 bytes
    expect(() => a.take('b')).toThrow(/no buffer 'b' is planned/);
    expect(a.maybe('b')).toBe(null);
    expect(() => a.finish()).toThrow(/never used: a, s, x W\^T/);
    a.take('a');
    expect(() => a.take('a')).toThrow(/taken twice/);
    expect(a.shared('s')).toBe(a.shared('s'));
    const p = new Program(ctx, a.scratchFor('forward'));
    expect(() => p.scratch('matmul W^T', 8)).toThrow(/asks for scratch 'matmul W\^T' \(8 floats\)/);
    a.destroy();
    expect(ctx.bytesInUse).toBe(before);
    const b = new PlanAllocator(ctx, plan);
    b.take('a');
    b.shared('s');
    expect(new Program(ctx, b.scratchFor('forward')).scratch('matmul W^T', 7)).toBe(b.buffers[2]);
    expect(() => b.finish()).not.toThrow();
    b.destroy();
  });

  test('a plan that breaks a limit is refused before anything is allocated', async () => {
    const ctx = await gpu();
    const c = config(['softmax', 'softmax']);
    const model = new GptModel(ctx, c);
    const before = ctx.bytesInUse;
    const T = 4000;
    const B = Math.ceil((2 * ctx.device.limits.maxStorageBufferBindingSize) / (2 * T * T * 4));
    expect(() => new Graph(model, B, T, { training: false })).toThrow(/attention weights/);
    expect(ctx.bytesInUse).toBe(before);
    model.destroy();
  });
});
