// Attention Lab engine: the public API (no React, no DOM; runs in a worker,
// a test page or the headless runner).
export { Engine, ENGINE_VERSION, requestDevice, type TrainOptions } from './engine';
export * from './config';
export { GpuContext } from './gpu/context';
export { Program } from './gpu/program';
export { GptModel, Graph, type GraphOptions } from './model/gpt';
export { buildParamTable, paramSpecs, initParams, paramCount, type ParamTable, type ParamEntry } from './model/params';
export { shapesOf, type Shapes } from './model/shapes';
export { Trainer, type StepLog, type Batch } from './train/trainer';
export { learningRate } from './train/schedule';
export { CharTokenizer } from './data/tokenizer';
export { loadBrown, corpusFromDocuments, corpusFromUserText, type Corpus } from './data/corpus';
export { trainBatch, evalWindows, windowAt, unigramLoss } from './data/batch';
export {
  runAttention,
  checkAttentionArgs,
  AttentionArgsError,
  type AttentionArgs,
  type AttentionResult,
  type AttentionMechanism,
} from './attention/run';
export { expandPattern, PATTERNS, type Pattern } from './model/patterns';
export { NonFiniteError, DeviceLostError, ResourceLimitError } from './errors';
export type { Checkpoint } from './train/checkpoint';
export { checkFits, planMemory } from './model/budget';
export type { TrainResult } from './engine';
export {
  evaluateLengths,
  DEFAULT_EVAL,
  type EvalConfig,
  type LengthResult,
  type HeadDiagnostics,
} from './eval/lengths';
export { evaluateRun, makeResults } from './eval/run';
export { parseResults, resultsSchema, RESULTS_VERSION, type ResultsDoc } from './eval/results';
export { attentionMap } from './eval/map';
export { passkeyAccuracy } from './eval/passkey';
export { executeRun, loadData, RunStopped, type Progress, type RunHooks } from './experiment/runner';
export { makeRun, checkRunConfig, DEFAULT_RUN, type RunConfig } from './experiment/run_config';
export { encodeExperiment, decodeExperiment } from './experiment/url';
export { PRESETS, presetExperiment } from './experiment/presets';
