// The training loop. Each step is one command encoder and one queue submit:
// clear grads, forward, backward, global grad norm, AdamW (the last two also
// keep the non-finite record).
// The CPU reads back only at logging points (marked SYNC below): the loss,
// the gradient norm, the non-finite record and, when checkpointing, a CPU copy
// of the parameters and both Adam moments (all in the same submit and the
// same wait).
import type { TrainConfig } from '../config';
import { DeviceLostError, lostBehind, type NonFiniteArena, NonFiniteError, unlessLost } from '../errors';
import { Program } from '../gpu/program';
import { type AdamWConfig, adamw_update, adamwHyper, global_norm_squared } from '../kernels/adamw';
import { NONFINITE_A, NONFINITE_LOSS, nonfiniteStep, readNonfinite, STAT_NONFINITE } from '../kernels/nonfinite';
import { type GptModel, Graph } from '../model/gpt';
import { planTrainer } from '../model/memory_plan';
import { PlanAllocator } from '../model/plan_allocator';
import { reweightFor } from '../model/reweight_rule';
import { STAT_GRAD_NORM_SQ, STAT_LOSS, STATS_FLOATS } from '../model/shapes';
import { type Checkpoint, checkCheckpoint } from './checkpoint';
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

export interface TrainerOptions {
  /** Copy params, m and v to the CPU at every finite logging point (default true). */
  checkpoints?: boolean;
}

export class Trainer {
  readonly graph: Graph;
  /** The optimiser program (grad norm, AdamW, both keeping the non-finite record): recorded once, encoded each step. */
  readonly optim: Program;
  /** The trainer's planned buffers (planTrainer). */
  private alloc: PlanAllocator;
  private hyper: GPUBuffer;
  private stepUniform: GPUBuffer;
  private staging: GPUBuffer;
  /** MAP_READ copies of params, m, v (checkpointing only). */
  private ckStaging: GPUBuffer[] = [];
  private t0 = 0;
  private stepsAtT0 = 0;
  private lost: GPUDeviceLostInfo | null = null;
  /** Completed steps. */
  step = 0;
  /** The last checkpoint taken at a finite logging point (or by `checkpoint()`). */
  lastCheckpoint: Checkpoint | null = null;

  constructor(
    readonly model: GptModel,
    readonly cfg: TrainConfig,
    /** fixedseqqk: the fixed passage (at least seqLen tokens). */
    streamTokens?: Uint32Array,
    readonly options: TrainerOptions = {},
  ) {
    const ctx = model.ctx;
    const reweightP = reweightFor(model.config, true);
    // The graph is built first: a training graph's limit check covers the arenas and this
    // trainer's own buffers too, so a run the device cannot hold is refused before any allocation.
    this.graph = new Graph(model, cfg.batchSize, cfg.seqLen, { training: true, reweightP, streamTokens });
    void ctx.device.lost.then((info) => (this.lost = info));
    const a = (this.alloc = new PlanAllocator(ctx, planTrainer(model.config, options.checkpoints ?? true)));
    this.hyper = a.take('adamw hyper').buffer;
    this.stepUniform = a.take('nonfinite step').buffer;
    this.staging = a.take('stats staging').buffer;
    if (options.checkpoints ?? true)
      this.ckStaging = ['params', 'm', 'v'].map((k) => a.take(`checkpoint ${k} staging`).buffer);
    const n = model.table.total;
    const o = (this.optim = new Program(ctx, a.scratchFor('optimiser')));
    const stats = { buffer: model.stats };
    // The record covers the loss, the gradients and the parameters after the update, so a step
    // that turns the parameters non-finite is caught at that step.
    const record = { index: STAT_NONFINITE, lossIndex: STAT_LOSS, step: this.stepUniform };
    const norm = global_norm_squared(o, stats, STAT_GRAD_NORM_SQ, { buffer: model.grads }, n, record);
    adamw_update(o, {
      params: { buffer: model.params },
      grads: { buffer: model.grads },
      m: { buffer: model.m },
      v: { buffer: model.v },
      hyper: this.hyper,
      norm,
      stats,
      n,
      nDecay: model.table.nDecay,
      record,
    });
    a.finish();
    this.clearRecord();
  }

  get adamw(): AdamWConfig {
    const c = this.cfg;
    return { beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, gradClip: c.gradClip };
  }

  lrAt(step: number): number {
    const c = this.cfg;
    return learningRate(step, { lr: c.lr, warmupSteps: c.warmupSteps, steps: c.steps, minLrRatio: c.minLrRatio });
  }

  /** The device is gone (destroyed or lost); nothing submitted will run. */
  get deviceLost(): boolean {
    return this.lost !== null;
  }

  /**
   * Runs one optimisation step on `batch`. With `log`, the step's loss,
   * gradient norm and non-finite record (and a checkpoint) are copied out in
   * the same submit and read back. Throws NonFiniteError (after rolling back
   * to the last checkpoint) when any step since the last logging point
   * produced a NaN or infinity, and DeviceLostError when the device is gone.
   */
  async trainStep(batch: Batch, log: boolean): Promise<StepLog | null> {
    const ctx = this.model.ctx;
    const dev = ctx.device;
    if (this.lost) throw new DeviceLostError(this.step, this.lastCheckpoint, this.lost.message);
    if (this.t0 === 0) {
      this.t0 = performance.now();
      this.stepsAtT0 = this.step;
    }
    const lr = this.lrAt(this.step);
    dev.queue.writeBuffer(this.hyper, 0, adamwHyper(this.step + 1, lr, this.adamw));
    dev.queue.writeBuffer(this.stepUniform, 0, nonfiniteStep(this.step + 1));
    this.graph.setBatch(batch.input, batch.target);
    const enc = dev.createCommandEncoder({ label: `train step ${this.step + 1}` });
    enc.clearBuffer(this.model.grads);
    const pass = enc.beginComputePass();
    this.graph.forward.encode(pass);
    this.graph.backward.encode(pass);
    this.optim.encode(pass);
    pass.end();
    if (log) this.encodeReadback(enc);
    dev.queue.submit([enc.finish()]);
    this.step++;
    if (!log) return null;
    // SYNC: logging point — wait for this step and read its stats (and checkpoint).
    const { stats, ck } = await this.readback();
    const bits = new Uint32Array(stats.buffer);
    const bad = readNonfinite(bits);
    if (bad) throw this.diverged(bad.step, bad.what, bad.index);
    if (ck) this.lastCheckpoint = { step: this.step, loss: stats[STAT_LOSS], params: ck[0], m: ck[1], v: ck[2] };
    const elapsedMs = performance.now() - this.t0;
    return {
      step: this.step,
      loss: stats[STAT_LOSS],
      gradNorm: Math.sqrt(stats[STAT_GRAD_NORM_SQ]),
      lr,
      tokensPerSecond: ((this.step - this.stepsAtT0) * this.graph.s.N) / Math.max(1e-9, elapsedMs / 1000),
      elapsedMs,
    };
  }

  /**
   * Reads the current state into a checkpoint (a sync point) and keeps it as
   * the last checkpoint. Call before training for a step-0 checkpoint.
   */
  async checkpoint(): Promise<Checkpoint> {
    if (!this.ckStaging.length) throw new Error('this trainer was built with checkpoints: false');
    const enc = this.model.ctx.device.createCommandEncoder({ label: 'checkpoint' });
    this.encodeReadback(enc, true);
    this.model.ctx.device.queue.submit([enc.finish()]);
    const { ck } = await this.readback(true);
    this.lastCheckpoint = { step: this.step, loss: NaN, params: ck![0], m: ck![1], v: ck![2] };
    return this.lastCheckpoint;
  }

  /** Puts the model and optimiser back to `ck` (queued, no sync); training continues from ck.step. */
  restore(ck: Checkpoint): void {
    checkCheckpoint(ck, this.model.table);
    const q = this.model.ctx.device.queue;
    q.writeBuffer(this.model.params, 0, ck.params);
    q.writeBuffer(this.model.m, 0, ck.m);
    q.writeBuffer(this.model.v, 0, ck.v);
    this.clearRecord();
    this.step = ck.step;
    this.t0 = 0;
    this.lastCheckpoint = ck;
  }

  destroy(): void {
    this.graph.destroy();
    this.optim.destroy();
    this.alloc.destroy();
    this.ckStaging = [];
  }

  private clearRecord(): void {
    this.model.ctx.device.queue.writeBuffer(this.model.stats, STAT_NONFINITE * 4, new Uint32Array(3));
  }

  private encodeReadback(enc: GPUCommandEncoder, arenasOnly = false): void {
    const m = this.model;
    if (!arenasOnly) enc.copyBufferToBuffer(m.stats, 0, this.staging, 0, STATS_FLOATS * 4);
    if (this.ckStaging.length)
      [m.params, m.m, m.v].forEach((src, i) => {
        enc.copyBufferToBuffer(src, 0, this.ckStaging[i], 0, m.table.total * 4);
      });
  }

  private async readback(arenasOnly = false): Promise<{ stats: Float32Array; ck: Float32Array[] | null }> {
    const bufs = arenasOnly ? [...this.ckStaging] : [this.staging, ...this.ckStaging];
    const dev = this.model.ctx.device;
    const lostError = (info: GPUDeviceLostInfo) => new DeviceLostError(this.step, this.lastCheckpoint, info.message);
    try {
      await unlessLost(dev, Promise.all(bufs.map((b) => b.mapAsync(GPUMapMode.READ))), lostError);
    } catch (e) {
      // A map rejected by the loss itself may settle before device.lost does (lostBehind waits for it).
      const info = this.lost ?? (await lostBehind(dev, e));
      if (info) throw lostError(info);
      throw e;
    }
    const out = bufs.map((b) => {
      const a = new Float32Array(b.getMappedRange().slice(0));
      b.unmap();
      return a;
    });
    return arenasOnly
      ? { stats: new Float32Array(STATS_FLOATS), ck: out }
      : { stats: out[0], ck: out.length > 1 ? out.slice(1) : null };
  }

  /** Rolls back to the last checkpoint and describes the first bad value. */
  private diverged(step: number, what: number, index: number): NonFiniteError {
    const detectedAt = this.step;
    let tensor = 'loss';
    let arena: NonFiniteArena = 'loss';
    let within = 0;
    if (what !== NONFINITE_LOSS) {
      arena = what === NONFINITE_A ? 'grads' : 'params';
      const e = this.model.table.entries.find((x) => index >= x.offset && index < x.offset + x.size);
      tensor = e ? e.name : `(padding at ${index})`;
      within = e ? index - e.offset : index;
    }
    if (this.lastCheckpoint) this.restore(this.lastCheckpoint);
    else this.clearRecord();
    return new NonFiniteError(step, tensor, arena, within, detectedAt, this.lastCheckpoint);
  }
}
