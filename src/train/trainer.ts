// The training loop. Each step is one command encoder and one queue submit:
// clear grads, forward, backward, global grad norm, AdamW. The CPU reads the
// loss back only at logging points (marked SYNC below).
import type { TrainConfig } from '../config';
import { Program } from '../gpu/program';
import { ADAMW_HYPER_FLOATS, adamwHyper, adamw_update, global_norm_squared, type AdamWConfig } from '../kernels/adamw';
import { Graph, type GptModel } from '../model/gpt';
import { reweightFor } from '../model/mixers';
import { STAT_GRAD_NORM_SQ, STAT_LOSS, STATS_FLOATS } from '../model/shapes';
import { learningRate } from './schedule';

export interface Batch {
  input: Uint32Array;
  target: Uint32Array;
}

export interface StepLog {
  step: number; // 1-based count of completed steps
  loss: number;
  gradNorm: number;
  lr: number;
  tokensPerSecond: number;
  elapsedMs: number;
}

export class Trainer {
  readonly graph: Graph;
  private optim: Program;
  private hyper: GPUBuffer;
  private staging: GPUBuffer;
  private t0 = 0;
  /** Completed steps. */
  step = 0;

  constructor(
    readonly model: GptModel,
    readonly cfg: TrainConfig,
    /** fixedseqqk: the fixed passage (at least seqLen tokens). */
    streamTokens?: Uint32Array,
  ) {
    const ctx = model.ctx;
    this.graph = new Graph(model, cfg.batchSize, cfg.seqLen, { training: true, reweightP: reweightFor(model.config, true), streamTokens });
    this.hyper = ctx.createBuffer('adamw hyper', ADAMW_HYPER_FLOATS * 4, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.staging = ctx.createBuffer('stats staging', STATS_FLOATS * 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    const o = (this.optim = new Program(ctx));
    const stats = { buffer: model.stats };
    const n = model.table.total;
    global_norm_squared(o, stats, STAT_GRAD_NORM_SQ, { buffer: model.grads }, n);
    adamw_update(o, { buffer: model.params }, { buffer: model.grads }, { buffer: model.m }, { buffer: model.v }, this.hyper, stats, STAT_GRAD_NORM_SQ, n, model.table.nDecay);
  }

  get adamw(): AdamWConfig {
    const c = this.cfg;
    return { beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, gradClip: c.gradClip };
  }

  lrAt(step: number): number {
    const c = this.cfg;
    return learningRate(step, { lr: c.lr, warmupSteps: c.warmupSteps, steps: c.steps, minLrRatio: c.minLrRatio });
  }

  /**
   * Runs one optimisation step on `batch`. With `log`, the step's loss and
   * gradient norm are copied out in the same submit and read back.
   */
  async trainStep(batch: Batch, log: boolean): Promise<StepLog | null> {
    const ctx = this.model.ctx;
    const dev = ctx.device;
    if (this.step === 0) this.t0 = performance.now();
    const lr = this.lrAt(this.step);
    dev.queue.writeBuffer(this.hyper, 0, adamwHyper(this.step + 1, lr, this.adamw));
    this.graph.setBatch(batch.input, batch.target);
    const enc = dev.createCommandEncoder({ label: `train step ${this.step + 1}` });
    enc.clearBuffer(this.model.grads);
    const pass = enc.beginComputePass();
    this.graph.forward.encode(pass);
    this.graph.backward.encode(pass);
    this.optim.encode(pass);
    pass.end();
    if (log) enc.copyBufferToBuffer(this.model.stats, 0, this.staging, 0, STATS_FLOATS * 4);
    dev.queue.submit([enc.finish()]);
    this.step++;
    if (!log) return null;
    // SYNC: logging point — wait for this step and read its loss and grad norm.
    await this.staging.mapAsync(GPUMapMode.READ);
    const s = new Float32Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    const elapsedMs = performance.now() - this.t0;
    return {
      step: this.step,
      loss: s[STAT_LOSS],
      gradNorm: Math.sqrt(s[STAT_GRAD_NORM_SQ]),
      lr,
      tokensPerSecond: (this.step * this.graph.s.N) / Math.max(1e-9, elapsedMs / 1000),
      elapsedMs,
    };
  }

  destroy(): void {
    this.graph.destroy();
    this.optim.destroy();
    this.model.ctx.destroyAll([this.hyper, this.staging]);
  }
}
