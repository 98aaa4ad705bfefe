// The memory plan of a run: the model's arenas (GptModel), a graph's
// activations and its programs' scratch (Graph: its blocks here, each mixer
// in its own module) and the trainer's buffers (Trainer). Each is the one
// declaration its component allocates from (src/model/plan_allocator.ts);
// the limit check (src/model/budget.ts) reads the same plan.
import type { ModelConfig } from '../config';
import { ADAMW_HYPER_FLOATS, normScratchFloats } from '../kernels/adamw';
import { NONFINITE_STEP_BYTES } from '../kernels/nonfinite';
import { planMixer } from './mixers';
import { buildParamTable, paramSpecs } from './params';
import { held, PlanBuilder, type PlannedBuffer, scratchOf } from './plan';
import { reweightFor } from './reweight_rule';
import { type Shapes, STATS_FLOATS, shapesOf } from './shapes';
import { streamKind } from './stream';

export type { PlannedBuffer } from './plan';
export { bufferBytes } from './plan';

/** What decides a graph's buffers (GraphOptions less its data). */
export interface PlanOptions {
  training: boolean;
  /** Graph-level re-weighting exponent (undefined: off, as in GraphOptions). */
  reweightP?: number | null;
  fused?: boolean;
  diagnostics?: boolean;
  skipNonSoftmax?: boolean;
}

export interface MemoryPlan {
  /** The model's arenas (planParams). */
  params: PlannedBuffer[];
  /** The graph's activations and program scratch (planGraph). */
  graph: PlannedBuffer[];
  /** The trainer's buffers (planTrainer); empty for an evaluation graph. */
  trainer: PlannedBuffer[];
  /** All of the above. */
  buffers: PlannedBuffer[];
  totalBytes: number;
  largestBinding: PlannedBuffer;
}

/** A bare `training` flag plans the graph the trainer (true) or the evaluator (false) builds for the config. */
export const planOptions = (c: ModelConfig, o: boolean | PlanOptions): PlanOptions =>
  typeof o === 'boolean' ? { training: o, reweightP: reweightFor(c, o) } : o;

/** The model's arenas (GptModel): params, grads, Adam m and v, stats. */
export function planParams(c: ModelConfig): PlannedBuffer[] {
  const n = buildParamTable(paramSpecs(c)).total;
  return new PlanBuilder().buf('params', n).buf('grads', n).buf('adam_m', n).buf('adam_v', n).buf('stats', STATS_FLOATS)
    .entries;
}

/** The trainer's own buffers: uniforms, stats and checkpoint staging, and its optimiser program's scratch. */
export function planTrainer(c: ModelConfig, checkpoints = true): PlannedBuffer[] {
  const n = buildParamTable(paramSpecs(c)).total;
  const p = new PlanBuilder()
    .uniform('adamw hyper', ADAMW_HYPER_FLOATS * 4)
    .uniform('nonfinite step', NONFINITE_STEP_BYTES)
    .readback('stats staging', STATS_FLOATS * 4);
  if (checkpoints) for (const a of ['params', 'm', 'v']) p.readback(`checkpoint ${a} staging`, n * 4);
  return p.scratch('optimiser', 'grad_norm partials', 'grad_norm partials', normScratchFloats(n)).entries;
}

/** A block's own buffers besides its mixer's, by name (the Graph takes them as `h{l}.{name}`). */
export function blockSizes(s: Shapes) {
  const { N, C, F } = s;
  return {
    ln1: N * C,
    rstd1: N,
    mix: N * C,
    res1: N * C,
    ln2: N * C,
    rstd2: N,
    fc: N * F,
    fc_gelu: N * F,
    proj: N * C,
    res2: N * C,
  };
}
export type BlockBuffer = keyof ReturnType<typeof blockSizes>;

/** Positions per thread of loss_mean_partials.wgsl (CHUNK in src/kernels/crossentropy.ts). */
const LOSS_CHUNK = 256;

/**
 * The activations and program scratch of `new Graph(model, B, T, options)`
 * (program uniforms excluded: at most one small uniform per dispatch).
 * Throws for options no graph takes, so a Graph refuses them before allocating.
 */
export function planGraph(c: ModelConfig, B: number, T: number, options: boolean | PlanOptions): PlannedBuffer[] {
  const o = planOptions(c, options);
  const training = o.training;
  if (training && o.skipNonSoftmax) throw new Error('hybridskip is an evaluation mode, not a training graph');
  if (training && o.fused) throw new Error('the fused attention path is forward-only (evaluation)');
  const stream = streamKind(c.layers);
  // With a fixed stream the graph computes [batch; stream] = 2B rows.
  const s = shapesOf(c, stream ? 2 * B : B, T);
  const { N, C, V, F } = s;
  const form = { fused: !!o.fused, diagnostics: !!o.diagnostics };
  const mixers = c.layers.map((mech) => planMixer(mech, c, s, { reweightP: o.reweightP ?? null, training, form }));
  const skip = (l: number) => !!o.skipNonSoftmax && c.layers[l] !== 'softmax';

  const p = new PlanBuilder()
    .buf('tokens', N)
    .buf('targets', N)
    .buf('x0', N * C);
  // rndembqk: the extended table [wte; eps rows] and zeros to copy wte into it.
  if (stream === 'rndemb') p.buf('wte_with_stream', (V + T) * C).buf('zeros_wte', V * C);
  // staticembqk: RMSNorm (no gain) of the layer-0 embeddings, and its gradient when training.
  if (c.layers.includes('staticembqk'))
    p.buf('ones_C', C)
      .buf('norm_emb', N * C)
      .buf('rstd_emb', N)
      .buf(training ? 'd_norm_emb' : 'unused', training ? N * C : 4)
      .buf('d_ones_unused', C);
  for (let l = 0; l < c.nLayer; l++) {
    for (const [name, floats] of Object.entries(blockSizes(s))) p.buf(`h${l}.${name}`, floats);
    p.add(held(mixers[l]), `h${l}.`);
  }
  p.buf('lnf', N * C)
    .buf('rstdf', N)
    .buf('logits', N * V)
    .buf('losses', N);
  if (training) {
    p.buf('d_logits', N * V)
      .buf('d_residual', N * C)
      .buf('d_ln', N * C)
      .buf('d_mix', N * C);
    p.buf('d_fc_gelu', N * F).buf('d_fc', N * F);
  }

  // Forward program scratch, in recording order (hybridskip records no skipped block).
  for (let l = 0; l < c.nLayer; l++) {
    if (skip(l)) continue;
    p.add(scratchOf(mixers[l], 'forward'), `h${l}.`);
    p.matmulForward('forward', `h${l}.fc`, { N, IC: C, OC: F });
    p.matmulForward('forward', `h${l}.proj`, { N, IC: F, OC: C });
  }
  p.matmulForward('forward', 'logits', { N, IC: C, OC: V });
  p.scratch('forward', 'loss_mean partials', 'loss_mean partials', 2 * Math.max(1, Math.ceil(N / LOSS_CHUNK)));
  if (training) {
    // Backward program scratch.
    p.matmulBackward('backward', 'lm_head', { N, IC: C, OC: V });
    for (let l = c.nLayer - 1; l >= 0; l--) {
      p.matmulBackwardDgelu('backward', `h${l}.proj`, { N, IC: F, OC: C });
      p.matmulBackward('backward', `h${l}.fc`, { N, IC: C, OC: F });
      p.add(scratchOf(mixers[l], 'backward'), `h${l}.`);
    }
  }
  return p.entries;
}

function summarise(params: PlannedBuffer[], graph: PlannedBuffer[], trainer: PlannedBuffer[]): MemoryPlan {
  const buffers = [...params, ...graph, ...trainer];
  let largestBinding: PlannedBuffer = { label: 'none', floats: 0, bytes: 0, binding: true, usage: 'storage' };
  let totalBytes = 0;
  for (const b of buffers) {
    totalBytes += b.bytes;
    if (b.binding && b.bytes > largestBinding.bytes) largestBinding = b;
  }
  return { params, graph, trainer, buffers, totalBytes, largestBinding };
}

/**
 * Everything a run of `config` at batch B and length T holds: the model's
 * arenas, the graph and, when training, the trainer's buffers.
 */
export function planMemory(config: ModelConfig, B: number, T: number, training: boolean | PlanOptions): MemoryPlan {
  const o = planOptions(config, training);
  return summarise(planParams(config), planGraph(config, B, T, o), o.training ? planTrainer(config) : []);
}
