// Attention Lab engine: the public API (no React, no DOM; runs in a worker,
// a test page or the headless runner).

export {
  type AttentionArgs,
  AttentionArgsError,
  type AttentionMechanism,
  type AttentionResult,
  checkAttentionArgs,
  runAttention,
} from './attention/run';
export * from './config';
export { evalWindows, trainBatch, unigramLoss, windowAt } from './data/batch';
export { type Corpus, corpusFromDocuments, corpusFromUserText, loadBrown } from './data/corpus';
export { CharTokenizer } from './data/tokenizer';
export type { TrainResult } from './engine';
export { ENGINE_VERSION, Engine, requestDevice, type TrainOptions } from './engine';
export { DeviceLostError, NonFiniteError, ResourceLimitError } from './errors';
export {
  DEFAULT_EVAL,
  type EvalConfig,
  evaluateLengths,
  type HeadDiagnostics,
  type LengthResult,
} from './eval/lengths';
export { attentionMap } from './eval/map';
export { passkeyAccuracy } from './eval/passkey';
export { parseResults, RESULTS_VERSION, type ResultsDoc, resultsSchema } from './eval/results';
export { evaluateRun, makeResults } from './eval/run';
export { PRESETS, presetExperiment } from './experiment/presets';
export { checkRunConfig, DEFAULT_RUN, makeRun, type RunConfig } from './experiment/run_config';
export { executeRun, loadData, type Progress, type RunHooks, RunStopped } from './experiment/runner';
export { decodeExperiment, encodeExperiment } from './experiment/url';
export { GpuContext } from './gpu/context';
export { Program } from './gpu/program';
export { checkFits } from './model/budget';
export { GptModel, Graph, type GraphOptions } from './model/gpt';
export { planMemory } from './model/memory_plan';
export { buildParamTable, initParams, type ParamEntry, type ParamTable, paramCount, paramSpecs } from './model/params';
export { expandPattern, PATTERNS, type Pattern } from './model/patterns';
export { type Shapes, shapesOf } from './model/shapes';
export { CONTEXT_MODES, type ContextMode } from './sample/context_mode';
export { sampleModel, validationPrompt } from './sample/continue';
export { ContextGraph, type Continuation, continueTokens } from './sample/generate';
export { incrementalSupport } from './sample/incremental_support';
export { type PassageReading, readPassage } from './sample/passage';
export { DEFAULT_SAMPLE, type SampleRequest, type SampleResult } from './sample/request';
export { pickToken, samplingDistribution, topPredictions } from './sample/sampler';
export type { Checkpoint } from './train/checkpoint';
export { learningRate } from './train/schedule';
export { type Batch, type StepLog, Trainer } from './train/trainer';
