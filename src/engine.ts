// The engine's high-level entry: a device, a model, training with progress
// callbacks, evaluation, parameter readback.
import { DEFAULT_MODEL, DEFAULT_TRAIN, type ModelConfig, type TrainConfig } from './config';
import { trainBatch } from './data/batch';
import type { Corpus } from './data/corpus';
import { taskBatch } from './data/synthetic';
import { DeviceLostError, lostBehind, NonFiniteError, unlessLost } from './errors';
import { DEFAULT_EVAL, type EvalConfig, type EvalData, evaluateLengths, isTask } from './eval/lengths';
import { type LiveEval, liveEvalDue, liveEvaluation } from './eval/live';
import { GpuContext } from './gpu/context';
import { GptModel } from './model/gpt';
import { type Checkpoint, checkCheckpoint } from './train/checkpoint';
import { type StepLog, Trainer } from './train/trainer';
import { Rng } from './util/random';

export { ENGINE_VERSION } from './version';

/**
 * fixedseqqk's passage: the first L tokens of the longest validation
 * document (never trained on), so every length reads a prefix of the same text.
 */
export function fixedPassage(corpus: Corpus, L: number): Uint32Array {
  let best = corpus.validation[0];
  for (const d of corpus.validation) if (d.length > (best?.length ?? 0)) best = d;
  if (!best || best.length < L)
    throw new Error(
      `fixedseqqk needs a validation document of at least ${L} tokens; the longest has ${best?.length ?? 0}`,
    );
  return best.subarray(0, L);
}

/** Requests a device with the adapter's full storage limits. */
export async function requestDevice(): Promise<{ device: GPUDevice; adapter: GPUAdapter }> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator))
    throw new Error('WebGPU is not available in this browser (navigator.gpu is missing)');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter found');
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    },
  });
  return { device, adapter };
}

function streamTokensFor(model: GptModel, data: EvalData, L: number): Uint32Array | undefined {
  if (!model.config.layers.includes('fixedseqqk') || isTask(data)) return undefined;
  return fixedPassage(data, L);
}

export interface TrainOptions {
  /** Windows and seed of the validation loss (the evaluator's 1x figure). */
  evaluation?: EvalConfig;
  onLog?: (log: StepLog & { valLoss?: number }) => void;
  /**
   * Given, a live evaluation (src/eval/live.ts) runs after every `cfg.liveEvalEvery`-th step but the last (the
   * final evaluation follows it) and is handed here; without it none runs.
   */
  onLiveEval?: (live: LiveEval) => void;
  /** Checked between steps; return true to stop early (TrainResult.stoppedAt says where). */
  shouldStop?: () => boolean;
  /** Awaited between steps; resolves when training may continue (pause). */
  gate?: () => Promise<void>;
  /** fixedseqqk's passage (at least the longest evaluated length); default: from the validation text. */
  streamTokens?: Uint32Array;
  /**
   * Continue a run from this checkpoint (e.g. the one a DeviceLostError
   * carries, on a new device): same config and seed give the same batches
   * and schedule as an uninterrupted run.
   */
  resume?: Checkpoint;
  /** Called with every new checkpoint (taken at finite logging points). */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
  /**
   * Keep CPU checkpoints (default true): params, m and v read back at each
   * logging point (3 x 4 bytes per parameter). Without them a diverged run
   * is not rolled back and a lost device cannot be resumed.
   */
  checkpoints?: boolean;
}

export interface TrainResult {
  logs: (StepLog & { valLoss?: number })[];
  valLoss: number;
  /** The last checkpoint (the final state when the run completed). */
  checkpoint: Checkpoint | null;
  /** Steps completed when shouldStop ended the run early; null when it ran to the end. */
  stoppedAt: number | null;
}

export class Engine {
  readonly ctx: GpuContext;
  constructor(device: GPUDevice) {
    this.ctx = new GpuContext(device);
  }

  createModel(overrides: Partial<ModelConfig> = {}): GptModel {
    return new GptModel(this.ctx, { ...DEFAULT_MODEL, ...overrides });
  }

  /**
   * Trains `model` on `corpus` text for `cfg.steps` steps. Logs (a GPU sync
   * each) every `cfg.logEvery` steps and at the last; validation loss at T
   * every `cfg.evalEvery` steps and at the end. Each finite logging point
   * keeps a CPU checkpoint. Rejects with NonFiniteError when the run
   * diverges (the model is rolled back to the last checkpoint) and with
   * DeviceLostError when the device is lost (resume from its checkpoint with
   * `opts.resume` on a new engine).
   */
  async train(
    model: GptModel,
    data: EvalData,
    overrides: Partial<TrainConfig> = {},
    opts: TrainOptions = {},
  ): Promise<TrainResult> {
    const cfg: TrainConfig = { ...DEFAULT_TRAIN, ...overrides };
    const checkpoints = opts.checkpoints ?? true;
    const stream = opts.streamTokens ?? streamTokensFor(model, data, cfg.seqLen);
    const trainer = new Trainer(model, cfg, stream?.subarray(0, cfg.seqLen), { checkpoints });
    const rng = new Rng(cfg.seed);
    const nextBatch = () =>
      isTask(data)
        ? taskBatch(data, cfg.batchSize, cfg.seqLen, rng)
        : trainBatch(data.train, cfg.batchSize, cfg.seqLen, rng);
    let stoppedAt: number | null = null;
    const logs: (StepLog & { valLoss?: number })[] = [];
    let valLoss = NaN;
    const device = model.ctx.device;
    const lost = (info: GPUDeviceLostInfo) => new DeviceLostError(trainer.step, trainer.lastCheckpoint, info.message);
    let seen: Checkpoint | null = null;
    const report = () => {
      if (trainer.lastCheckpoint && trainer.lastCheckpoint !== seen)
        opts.onCheckpoint?.((seen = trainer.lastCheckpoint));
    };
    try {
      if (opts.resume) {
        checkCheckpoint(opts.resume, model.table);
        if (opts.resume.step > cfg.steps)
          throw new Error(`the checkpoint is at step ${opts.resume.step}, past this run's ${cfg.steps} steps`);
        trainer.restore(opts.resume);
        // Replay the data sampler so step s sees the batch it would have seen.
        for (let s = 0; s < opts.resume.step; s++) nextBatch();
      } else if (checkpoints) {
        // SYNC: once per run — the step-0 state, so even the first steps have a checkpoint.
        await trainer.checkpoint();
      }
      seen = trainer.lastCheckpoint;
      for (let s = trainer.step; s < cfg.steps; s++) {
        await opts.gate?.();
        if (opts.shouldStop?.()) {
          stoppedAt = s;
          break;
        }
        const last = s === cfg.steps - 1;
        const log = (s + 1) % cfg.logEvery === 0 || last;
        const r = await trainer.trainStep(nextBatch(), log);
        if (r) {
          report();
          const entry: StepLog & { valLoss?: number } = { ...r };
          if (last || (cfg.evalEvery > 0 && r.step % cfg.evalEvery === 0)) {
            valLoss = await unlessLost(
              device,
              this.validationLoss(model, data, cfg.seqLen, opts.evaluation ?? DEFAULT_EVAL, stream),
              lost,
            );
            entry.valLoss = valLoss;
          }
          logs.push(entry);
          opts.onLog?.(entry);
        }
        if (opts.onLiveEval && liveEvalDue(s + 1, cfg.steps, cfg.liveEvalEvery)) {
          const evaluation = opts.evaluation ?? DEFAULT_EVAL;
          // fixedseqqk reads its passage at every live length: the whole of it, not the training prefix.
          const passage =
            opts.streamTokens ?? streamTokensFor(model, data, Math.max(...evaluation.factors) * cfg.seqLen);
          const live = liveEvaluation(model, data, cfg.seqLen, s + 1, evaluation, passage);
          opts.onLiveEval(await unlessLost(device, live, lost));
        }
      }
    } catch (e) {
      // Whatever failed while the device was going away (a readback, an evaluation) is a device loss.
      if (e instanceof DeviceLostError || e instanceof NonFiniteError) throw e;
      const info = await lostBehind(device, e);
      if (info) throw lost(info);
      throw e;
    } finally {
      trainer.destroy();
    }
    return { logs, valLoss, checkpoint: trainer.lastCheckpoint, stoppedAt };
  }

  /**
   * Mean loss over the evaluation's fixed windows at length L: the same
   * computation as the evaluator's figure at L, so the two always agree.
   */
  async validationLoss(
    model: GptModel,
    data: EvalData,
    L: number,
    evaluation: EvalConfig = DEFAULT_EVAL,
    streamTokens?: Uint32Array,
  ): Promise<number> {
    const maxL = Math.max(...evaluation.factors) * L;
    const stream = streamTokens ?? streamTokensFor(model, data, maxL);
    const r = await evaluateLengths(
      model,
      data,
      L,
      { ...evaluation, lengths: [L], diagnostics: false, windowLength: maxL },
      {},
      stream,
    );
    return r.lengths[0].meanLoss;
  }
}
