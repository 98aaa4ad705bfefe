// The run host: owns the GPU device, checks each command, runs one run at a
// time through executeRun (pause, resume, stop) and posts typed events
// (src/host/protocol.ts). The lab's module worker wraps it (and, where a
// browser has no WebGPU in workers, the lab's page runs it on its main
// thread); the headless runner's page wraps the same class, so a run goes
// the same way in both.

import { type Corpus, loadBrown } from '../data/corpus';
import { Engine, requestDevice } from '../engine';
import { ConfigError } from '../errors';
import type { AttentionMap } from '../eval/map';
import { checkRunConfig, type RunConfig, toModelConfig } from '../experiment/run_config';
import { checkRunFits, executeRun, type LoadedData, loadData, RunStopped } from '../experiment/runner';
import { exportFinishedRun } from '../export/run';
import type { GptModel } from '../model/gpt';
import { buildParamTable, paramSpecs } from '../model/params';
import { sampleModel } from '../sample/continue';
import { readTextPassage } from '../sample/passage';
import { type KeptRun, KeptWeights } from './kept_weights';
import { computeMaps } from './maps';
import { type AdapterInfo, type Command, type Event, errorKind } from './protocol';
import type { WeightArchive } from './weight_archive';

export interface HostOptions {
  /** Compute each finished run's attention-map heatmaps (the lab shows them; a results file has none). Default true. */
  attentionMaps?: boolean;
  /** Bytes of finished text runs' weights kept for sampling (oldest dropped first); 0 keeps none. Default 64 MB. */
  keepWeightsBytes?: number;
  /** Where finished text runs' weights also go, to be read back after a reload (the lab's worker: IndexedDB). */
  archive?: Promise<WeightArchive | null>;
  /** Post live evaluations while a run trains (the lab plots them; the command line does not). Default true. */
  liveEval?: boolean;
}

interface Active {
  runId: string;
  paused: boolean;
  stop: boolean;
  wake: (() => void) | null;
}

/** Progress fields while nothing trains (loading data, drawing maps). */
const IDLE = { loss: NaN, tokensPerSecond: 0 };

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LabCore {
  private engine: Engine | null = null;
  private adapter: AdapterInfo | null = null;
  private brown: Promise<Corpus> | null = null;
  private corpusUrl = '/data/brown.json';
  private active: Active | null = null;
  private readonly kept: KeptWeights;

  constructor(
    private readonly post: (e: Event) => void,
    private readonly options: HostOptions = {},
  ) {
    this.kept = new KeptWeights(options.keepWeightsBytes);
  }

  async handle(cmd: Command): Promise<void> {
    switch (cmd.type) {
      case 'hello':
        if (cmd.corpusUrl !== undefined && cmd.corpusUrl !== this.corpusUrl) {
          this.corpusUrl = cmd.corpusUrl;
          this.brown = null;
        }
        try {
          await this.ensureEngine();
          this.post({ type: 'ready', gpu: true, adapter: this.adapter! });
        } catch (e) {
          this.post({ type: 'ready', gpu: false, reason: messageOf(e) });
        }
        return;
      case 'check':
        return this.check(cmd.runId, cmd.run, cmd.userText);
      case 'start':
        return this.start(cmd.runId, cmd.run, cmd.userText, cmd.torchExport === true);
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
      case 'sample':
        return this.withKeptModel(cmd.runId, async (model, kept) => ({
          type: 'samples',
          runId: cmd.runId,
          result: await sampleModel(model, kept.corpus, kept.run.train.seqLen, cmd.request, kept.run.eval.seed),
        }));
      case 'passage':
        return this.withKeptModel(cmd.runId, async (model, kept) => ({
          type: 'passage',
          runId: cmd.runId,
          result: await readTextPassage(model, kept.corpus, kept.run.train.seqLen, cmd.request, kept.run.eval.seed),
        }));
      case 'weights':
        try {
          const { run, userText, params } = await this.keptRun(cmd.runId);
          this.post({
            type: 'weights',
            runId: cmd.runId,
            run,
            ...(userText !== undefined ? { userText } : {}),
            params,
          });
        } catch (e) {
          this.post({ type: 'error', runId: cmd.runId, kind: errorKind(e), message: messageOf(e) });
        }
        return;
      case 'keep':
        return this.adopt(cmd);
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

  /** Loads the run's data and checks it can serve the run: nothing on the GPU yet. */
  private load(run: RunConfig, userText?: string): Promise<LoadedData> {
    return loadData(run, {
      brown: () =>
        (this.brown ??= loadBrown(undefined, this.corpusUrl).catch((e) => ((this.brown = null), Promise.reject(e)))),
      userText,
    });
  }

  /**
   * What start would refuse before training, refused now: the config, the
   * data, and the device's limits (the headless runner checks every run of
   * an experiment before the first one trains).
   */
  private async check(runId: string, raw: RunConfig, userText?: string): Promise<void> {
    try {
      const run = checkRunConfig(raw);
      const data = await this.load(run, userText);
      const engine = await this.ensureEngine();
      checkRunFits(run, data, engine.ctx.device.limits);
      this.post({ type: 'checked', runId });
    } catch (e) {
      this.post({ type: 'error', runId, kind: errorKind(e), message: messageOf(e) });
    }
  }

  private async start(runId: string, raw: RunConfig, userText?: string, torchExport = false): Promise<void> {
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
      const steps = run.train.steps;
      this.post({ type: 'progress', runId, phase: 'loading', step: 0, steps, ...IDLE, etaSeconds: NaN });
      const data = await this.load(run, userText);
      const engine = await this.ensureEngine();
      const maps: AttentionMap[] = [];
      let trained: { params: Float32Array; stream: Uint32Array | undefined } | null = null;
      const doc = await executeRun(engine, run, data, this.adapter!, {
        onProgress: (p) => this.post({ type: 'progress', runId, ...p }),
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
        onLiveEval:
          this.options.liveEval === false ? undefined : (live) => this.post({ type: 'liveEval', runId, ...live }),
        shouldStop: () => a.stop,
        gate: async () => {
          while (a.paused && !a.stop) await new Promise<void>((res) => (a.wake = res));
          a.wake = null;
        },
        afterEval: async (model, stream) => {
          // SYNC: once per run — the trained weights, read before the model is destroyed, for the export
          // and for sampling later (text runs: sampling continues text).
          const keep = data.kind === 'text' && this.kept.maxBytes > 0;
          if (torchExport || keep) trained = { params: await model.read('params'), stream };
          if (keep && trained) {
            const text = run.data.source === 'text' ? userText : undefined;
            this.keepRun(runId, { run, corpus: data.corpus, userText: text, params: trained.params });
          }
          if (this.options.attentionMaps === false) return;
          this.post({ type: 'progress', runId, phase: 'maps', step: steps, steps, ...IDLE, etaSeconds: 0 });
          maps.push(...(await computeMaps(model, run, data, stream)));
        },
      });
      const t = trained as { params: Float32Array; stream: Uint32Array | undefined } | null;
      const torch = t && torchExport ? await exportFinishedRun(engine, run, data, doc, t.params, t.stream) : undefined;
      this.post({ type: 'results', runId, doc, maps, ...(torch ? { torch } : {}) });
    } catch (e) {
      if (e instanceof RunStopped) this.post({ type: 'stopped', runId, step: e.step });
      else this.post({ type: 'error', runId, kind: errorKind(e), message: messageOf(e) });
    } finally {
      this.active = null;
    }
  }

  /** Keeps a finished run's weights in memory and (in the background) in the archive. */
  private keepRun(runId: string, kept: KeptRun): void {
    this.kept.keep(runId, kept);
    // Written in the background: a full or refused archive costs only sampling after a reload.
    const archived = { run: kept.run, userText: kept.userText, params: kept.params };
    void this.options.archive?.then((a) => a?.put(runId, archived)).catch(() => {});
  }

  /** Weights read from a results file, kept as run `runId`'s once they fit its model: 'kept' or 'error'. */
  private async adopt(cmd: Extract<Command, { type: 'keep' }>): Promise<void> {
    try {
      const run = checkRunConfig(cmd.run);
      const data = await this.load(run, cmd.userText);
      if (data.kind !== 'text') throw new ConfigError(`run '${cmd.runId}' trains on a task: only text runs speak`);
      const want = buildParamTable(paramSpecs(toModelConfig(run, data.corpus.tokenizer.size))).total;
      if (cmd.params.length !== want)
        throw new ConfigError(
          `the weights of run '${cmd.runId}' hold ${cmd.params.length} values; its model has ${want}`,
        );
      this.keepRun(cmd.runId, { run, corpus: data.corpus, userText: cmd.userText, params: cmd.params });
      if (!this.kept.get(cmd.runId))
        throw new ConfigError(`the weights of run '${cmd.runId}' are larger than the ${this.kept.maxBytes} bytes kept`);
      this.post({ type: 'kept', runId: cmd.runId });
    } catch (e) {
      this.post({ type: 'error', runId: cmd.runId, kind: errorKind(e), message: messageOf(e) });
    }
  }

  /** A finished run's kept weights (from memory, else the archive); a ConfigError names a run without. */
  private async keptRun(runId: string): Promise<KeptRun> {
    const kept = this.kept.get(runId) ?? (await this.restore(runId));
    if (!kept)
      throw new ConfigError(
        `no weights kept for run '${runId}': only finished runs on text keep theirs, the most recent first ` +
          '(across a reload, only where the browser lets the lab store them)',
      );
    return kept;
  }

  /** A run's weights read back from the archive (after a reload), with its data loaded again; kept in memory. */
  private async restore(runId: string): Promise<KeptRun | undefined> {
    const a = await (await this.options.archive)?.get(runId);
    if (!a) return undefined;
    const data = await this.load(a.run, a.userText);
    if (data.kind !== 'text') return undefined;
    const kept = { run: a.run, corpus: data.corpus, userText: a.userText, params: a.params };
    this.kept.keep(runId, kept);
    return kept;
  }

  /**
   * Answers a request with a finished run's kept weights (continue text, read a passage), on a model rebuilt
   * for the request and freed after it; a run whose weights are not kept is one config error naming it.
   */
  private async withKeptModel(
    runId: string,
    answer: (model: GptModel, kept: KeptRun) => Promise<Event>,
  ): Promise<void> {
    try {
      const kept = await this.keptRun(runId);
      const engine = await this.ensureEngine();
      const model = engine.createModel(toModelConfig(kept.run, kept.corpus.tokenizer.size));
      try {
        model.setParams(kept.params);
        this.post(await answer(model, kept));
      } finally {
        model.destroy();
      }
    } catch (e) {
      this.post({ type: 'error', runId, kind: errorKind(e), message: messageOf(e) });
    }
  }
}
