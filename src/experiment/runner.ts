// Runs one run config end to end on an engine: load and check the data,
// train (pausable, stoppable, with progress), evaluate, and return the
// validated results document. The run host (src/host/core.ts), which the
// lab's worker and the headless runner's page both wrap, calls this; it adds
// no numerics of its own.
import { ConfigError, type ModelConfig } from '../config';
import { evalWindows, unigramLoss } from '../data/batch';
import { type Corpus, corpusFromUserText, DataError } from '../data/corpus';
import { type SyntheticTask, TASK_TOKENIZER, TASKS } from '../data/synthetic';
import { type Engine, fixedPassage } from '../engine';
import { windowsPerChunk } from '../eval/chunk';
import { type EvalConfig, evalLengths } from '../eval/lengths';
import type { LiveEval } from '../eval/live';
import type { ResultsDoc } from '../eval/results';
import { evaluateRun, makeResults } from '../eval/run';
import { checkFits, type GraphShape } from '../model/budget';
import type { GptModel } from '../model/gpt';
import { reweightFor } from '../model/reweight_rule';
import type { StepLog } from '../train/trainer';
import { Rng } from '../util/random';
import { type RunConfig, toEvalConfig, toModelConfig, toTrainConfig } from './run_config';

export type LoadedData = { kind: 'text'; corpus: Corpus } | { kind: 'task'; task: SyntheticTask };

export interface DataSources {
  /** The Brown corpus (fetched once by the caller and reused). */
  brown: () => Promise<Corpus>;
  /** The user's own text, when the run's data source is 'text'. */
  userText?: string;
}

/** The vocabulary size of a run's data: the corpus's tokenizer, or the task's. */
export function vocabOf(data: LoadedData): number {
  return data.kind === 'text' ? data.corpus.tokenizer.size : data.task.tokenizer.size;
}

export function longestEvalLength(run: RunConfig): number {
  return Math.max(...run.eval.factors) * run.train.seqLen;
}

/** Loads the run's data and checks it can serve the run, before any GPU work. */
export async function loadData(run: RunConfig, sources: DataSources): Promise<LoadedData> {
  const maxL = longestEvalLength(run);
  if (run.data.source === 'task') return { kind: 'task', task: TASKS[run.data.task] };
  let corpus: Corpus;
  if (run.data.source === 'text') {
    if (sources.userText === undefined)
      throw new DataError('this run trains on your own text, but none was given (paste it or choose a file)');
    corpus = corpusFromUserText(sources.userText, { minWindow: maxL });
  } else corpus = await sources.brown();
  const longestTrain = corpus.train.reduce((a, d) => Math.max(a, d.length), 0);
  if (longestTrain < run.train.seqLen + 1)
    throw new DataError(
      `training needs documents of at least ${run.train.seqLen + 1} tokens; ` +
        `the longest training document has ${longestTrain}`,
    );
  evalWindows(corpus.validation, run.eval.windows, maxL, run.eval.seed); // throws a DataError naming the shortfall
  return { kind: 'text', corpus };
}

/**
 * Where a run is: loading its data, training, evaluating, or (in the lab)
 * drawing its attention maps. executeRun reports 'train' and 'eval'; the host
 * that runs it (src/host/core.ts) reports 'loading' and 'maps'.
 */
export type Phase = 'loading' | 'train' | 'eval' | 'maps';

/**
 * A run's progress: the one shape the engine reports, the host's progress
 * event carries and the lab's store keeps (the loss curve comes separately,
 * from onLog).
 */
export interface Progress {
  phase: Phase;
  step: number;
  steps: number;
  /** The last logged training loss (NaN before the first log). */
  loss: number;
  tokensPerSecond: number;
  /** Seconds left in training, from the rate so far. */
  etaSeconds: number;
}

export interface RunHooks {
  onProgress?: (p: Progress) => void;
  onLog?: (l: StepLog & { valLoss?: number }) => void;
  /** Each live evaluation while training (src/eval/live.ts); none runs without this hook or with liveEvalEvery 0. */
  onLiveEval?: (live: LiveEval) => void;
  /** Checked between steps: true stops the run (it throws RunStopped). */
  shouldStop?: () => boolean;
  /** Awaited between steps; resolves when the run may continue (pause). */
  gate?: () => Promise<void>;
  /**
   * Called once after evaluation, before the trained model is destroyed (the
   * lab computes its attention-map heatmaps here). `stream` is fixedseqqk's
   * passage when the model has such layers.
   */
  afterEval?: (model: GptModel, stream: Uint32Array | undefined) => Promise<void>;
}

export class RunStopped extends Error {
  override name = 'RunStopped';
  constructor(readonly step: number) {
    super(`run stopped at step ${step}`);
  }
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
}

/**
 * What executeRun refuses before it allocates anything: a task whose windows
 * are longer than the run's longest length, and the run's one limit check:
 * the model's arenas, the trainer and its graph, and every evaluation graph
 * (windows, passkey trials), from the plan they allocate. A host may call it
 * earlier, to refuse a run before any run of an experiment trains.
 */
export function checkRunFits(run: RunConfig, data: LoadedData, limits: GPUSupportedLimits): void {
  if (data.kind === 'task' && longestEvalLength(run) < data.task.minLength)
    throw new ConfigError(`the ${data.task.name} task needs windows of at least ${data.task.minLength} tokens`);
  const modelCfg = toModelConfig(run, vocabOf(data));
  const train = toTrainConfig(run);
  checkFits(modelCfg, train.batchSize, train.seqLen, limits, {
    training: true,
    reweightP: reweightFor(modelCfg, true),
    evaluation: evaluationGraphs(modelCfg, train.seqLen, toEvalConfig(run), run.eval.passkeyTrials, limits),
  });
}

export async function executeRun(
  engine: Engine,
  run: RunConfig,
  data: LoadedData,
  adapter: AdapterDescription,
  hooks: RunHooks = {},
): Promise<ResultsDoc> {
  const vocab = vocabOf(data);
  const modelCfg = toModelConfig(run, vocab);
  const train = toTrainConfig(run);
  const evaluation = toEvalConfig(run);
  const maxL = longestEvalLength(run);
  checkRunFits(run, data, engine.ctx.device.limits);
  const stream = modelCfg.layers.includes('fixedseqqk')
    ? data.kind === 'text'
      ? fixedPassage(data.corpus, maxL)
      : data.task.make(maxL, new Rng(run.seed ^ 0x5eed), run.train.seqLen).input
    : undefined;
  const model = engine.createModel(modelCfg);
  const evalData = data.kind === 'text' ? data.corpus : data.task;
  const t0 = performance.now();
  try {
    // The engine's own training loop; its validation is the evaluator's figure
    // at T on the final evaluation's windows, so the curve's last point equals the 1x loss.
    const trained = await engine.train(model, evalData, train, {
      evaluation,
      streamTokens: stream,
      gate: hooks.gate,
      shouldStop: hooks.shouldStop,
      onLiveEval: hooks.onLiveEval,
      onLog: (entry) => {
        hooks.onLog?.(entry);
        const rate = entry.step / (entry.elapsedMs / 1000);
        hooks.onProgress?.({
          phase: 'train',
          step: entry.step,
          steps: train.steps,
          loss: entry.loss,
          tokensPerSecond: entry.tokensPerSecond,
          etaSeconds: (train.steps - entry.step) / Math.max(rate, 1e-9),
        });
      },
    });
    if (trained.stoppedAt !== null) throw new RunStopped(trained.stoppedAt);
    const curve = trained.logs;
    const trainSeconds = (performance.now() - t0) / 1000;
    const lastLog = curve[curve.length - 1];
    hooks.onProgress?.({
      phase: 'eval',
      step: train.steps,
      steps: train.steps,
      loss: lastLog?.loss ?? NaN,
      tokensPerSecond: lastLog?.tokensPerSecond ?? 0,
      etaSeconds: 0,
    });
    const passkey =
      run.eval.passkeyTrials > 0
        ? data.kind === 'task'
          ? { trainedOn: 'passkey' as const, tokenizer: TASK_TOKENIZER, trials: run.eval.passkeyTrials }
          : { trainedOn: 'text' as const, tokenizer: data.corpus.tokenizer, trials: run.eval.passkeyTrials }
        : undefined;
    const evaluated = await evaluateRun(model, evalData, train.seqLen, evaluation, { streamTokens: stream, passkey });
    await hooks.afterEval?.(model, stream);
    const sizes = (docs: Uint32Array[]) => docs.reduce((a, d) => a + d.length, 0);
    const dataInfo =
      data.kind === 'text'
        ? {
            name: data.corpus.name,
            vocabSize: vocab,
            trainTokens: sizes(data.corpus.train),
            validationTokens: sizes(data.corpus.validation),
            unigram: unigramLoss(data.corpus.train, data.corpus.validation, vocab),
          }
        : {
            name: `task:${data.task.name}`,
            vocabSize: vocab,
            trainTokens: train.steps * train.batchSize * train.seqLen,
            validationTokens: evaluation.windows * maxL,
            unigram: taskUnigram(data.task, train.seqLen, run.seed),
          };
    return makeResults({
      label: run.label || modelCfg.layers.join('/'),
      adapter,
      model: modelCfg,
      train,
      evaluation,
      data: dataInfo,
      curve,
      trainSeconds,
      run: evaluated,
    });
  } finally {
    model.destroy();
  }
}

/**
 * The evaluation graphs a run builds (src/eval/lengths.ts, src/eval/passkey.ts):
 * at each length, as many windows (or passkey trials) as one chunk holds,
 * fused, with diagnostics when the evaluation asks for them.
 */
function evaluationGraphs(
  c: ModelConfig,
  T: number,
  e: EvalConfig,
  trials: number,
  limits: GPUSupportedLimits,
): GraphShape[] {
  const lengths = [...new Set([T, ...evalLengths(T, e)])];
  return lengths.map((L) => ({
    B: Math.min(Math.max(e.windows, trials), windowsPerChunk(c, L, limits)),
    T: L,
    options: { training: false, fused: true, diagnostics: e.diagnostics, reweightP: reweightFor(c, false) },
  }));
}

/** Unigram loss of a task's scored targets (train and validation drawn from the task). */
function taskUnigram(task: SyntheticTask, T: number, seed: number): number {
  const rng = new Rng(seed + 1);
  const pick = (n: number) =>
    Array.from({ length: n }, () => {
      const e = task.make(T, rng);
      return e.target.filter((t) => t !== 0xffffffff);
    });
  return unigramLoss(pick(64), pick(16), task.tokenizer.size);
}
