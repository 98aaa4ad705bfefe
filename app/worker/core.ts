// The engine side of the lab: owns the GPU device, validates each command,
// runs one run at a time through executeRun (pause, resume, stop) and posts
// typed events. The module worker wraps it; where a browser has no WebGPU
// in workers, the page runs this same class on its main thread.

import { type Corpus, loadBrown } from '../../src/data/corpus';
import { Engine, requestDevice } from '../../src/engine';
import { type AttentionMap, attentionMap } from '../../src/eval/map';
import { checkRunConfig, type RunConfig, toModelConfig } from '../../src/experiment/run_config';
import { executeRun, type LoadedData, loadData, longestEvalLength, RunStopped } from '../../src/experiment/runner';
import { checkFits } from '../../src/model/budget';
import type { GptModel } from '../../src/model/gpt';
import { type AdapterInfo, type Command, type Event, errorKind } from './protocol';

/** Heatmaps computed per run: every layer, the first heads, at T and the longest length. */
const MAP_HEADS = 4;
const MAP_CELLS = 32;
const MAX_MAPS = 48;

interface Active {
  runId: string;
  paused: boolean;
  stop: boolean;
  wake: (() => void) | null;
}

export class LabCore {
  private engine: Engine | null = null;
  private adapter: AdapterInfo | null = null;
  private brown: Promise<Corpus> | null = null;
  private active: Active | null = null;

  constructor(private readonly post: (e: Event) => void) {}

  async handle(cmd: Command): Promise<void> {
    switch (cmd.type) {
      case 'hello':
        try {
          await this.ensureEngine();
          this.post({ type: 'ready', gpu: true, adapter: this.adapter! });
        } catch (e) {
          this.post({ type: 'ready', gpu: false, reason: e instanceof Error ? e.message : String(e) });
        }
        return;
      case 'start':
        return this.start(cmd.runId, cmd.run, cmd.userText);
      case 'pause':
      case 'resume': {
        const a = this.activeFor(cmd.runId);
        if (!a) return;
        a.paused = cmd.type === 'pause';
        if (!a.paused) a.wake?.();
        this.post({ type: 'paused', runId: cmd.runId, paused: a.paused });
        return;
      }
      case 'stop': {
        const a = this.activeFor(cmd.runId);
        if (!a) return;
        a.stop = true;
        a.wake?.();
        return;
      }
    }
  }

  private activeFor(runId: string): Active | null {
    return this.active && this.active.runId === runId ? this.active : null;
  }

  private async ensureEngine(): Promise<Engine> {
    if (this.engine) return this.engine;
    const { device, adapter } = await requestDevice();
    const info = adapter.info ?? { vendor: '', architecture: '', description: '' };
    const l = device.limits;
    this.adapter = {
      vendor: info.vendor || 'unknown vendor',
      architecture: info.architecture || '',
      description: info.description || '',
      limits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      },
    };
    const engine = new Engine(device);
    this.engine = engine;
    // A lost device is replaced on the next start; the run it held fails with DeviceLostError.
    void device.lost.then(() => {
      if (this.engine === engine) this.engine = null;
    });
    return engine;
  }

  private async start(runId: string, raw: RunConfig, userText?: string): Promise<void> {
    if (this.active) {
      this.post({
        type: 'error',
        runId,
        kind: 'internal',
        message: `another run (${this.active.runId}) is still running`,
      });
      return;
    }
    const a: Active = { runId, paused: false, stop: false, wake: null };
    this.active = a;
    try {
      // Everything that can be refused is refused before any GPU allocation.
      const run = checkRunConfig(raw);
      this.post({
        type: 'progress',
        runId,
        phase: 'loading',
        step: 0,
        steps: run.train.steps,
        loss: NaN,
        tokensPerSecond: 0,
        etaSeconds: NaN,
      });
      const data = await loadData(run, {
        brown: () => (this.brown ??= loadBrown().catch((e) => ((this.brown = null), Promise.reject(e)))),
        userText,
      });
      const engine = await this.ensureEngine();
      const vocab = data.kind === 'text' ? data.corpus.tokenizer.size : data.task.tokenizer.size;
      checkFits(toModelConfig(run, vocab), run.train.batchSize, run.train.seqLen, engine.ctx.device.limits, true);
      const maps: AttentionMap[] = [];
      const doc = await executeRun(engine, run, data, this.adapter!, {
        onProgress: (p) =>
          this.post({
            type: 'progress',
            runId,
            phase: p.phase,
            step: p.step,
            steps: p.steps,
            loss: p.loss,
            tokensPerSecond: p.tokensPerSecond,
            etaSeconds: p.etaSeconds,
          }),
        onLog: (l) =>
          this.post({
            type: 'metrics',
            runId,
            step: l.step,
            loss: l.loss,
            valLoss: l.valLoss,
            lr: l.lr,
            tokensPerSecond: l.tokensPerSecond,
          }),
        shouldStop: () => a.stop,
        gate: async () => {
          while (a.paused && !a.stop) await new Promise<void>((res) => (a.wake = res));
          a.wake = null;
        },
        afterEval: async (model, stream) => {
          this.post({
            type: 'progress',
            runId,
            phase: 'maps',
            step: run.train.steps,
            steps: run.train.steps,
            loss: NaN,
            tokensPerSecond: 0,
            etaSeconds: 0,
          });
          maps.push(...(await computeMaps(model, run, data, stream)));
        },
      });
      this.post({ type: 'results', runId, doc, maps });
    } catch (e) {
      if (e instanceof RunStopped) this.post({ type: 'stopped', runId, step: e.step });
      else this.post({ type: 'error', runId, kind: errorKind(e), message: e instanceof Error ? e.message : String(e) });
    } finally {
      this.active = null;
    }
  }
}

/**
 * The heatmaps of a finished run, computed while its model is still alive
 * (the model is destroyed when executeRun returns): each attention layer, the
 * first MAP_HEADS heads, at T and at the longest evaluation length, R x R
 * cells. Layers without pairwise weights (mlp, nonapprox) are skipped.
 */
async function computeMaps(
  model: GptModel,
  run: RunConfig,
  data: LoadedData,
  stream: Uint32Array | undefined,
): Promise<AttentionMap[]> {
  if (data.kind !== 'text') return [];
  const maxL = longestEvalLength(run);
  const lengths = [...new Set([run.train.seqLen, maxL])];
  const out: AttentionMap[] = [];
  for (let layer = 0; layer < run.model.nLayer; layer++) {
    for (const L of lengths) {
      for (let head = 0; head < Math.min(MAP_HEADS, run.model.nHead); head++) {
        if (out.length >= MAX_MAPS) return out;
        try {
          out.push(
            await attentionMap(model, data.corpus, {
              length: L,
              layer,
              head,
              R: MAP_CELLS,
              seed: run.eval.seed,
              windows: run.eval.windows,
              maxLength: maxL,
              streamTokens: stream,
            }),
          );
        } catch {
          break; // this layer has no attention map (or it cannot be taken): next layer
        }
      }
    }
  }
  return out;
}
