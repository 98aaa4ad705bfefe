// The typed protocol of the run host (src/host/core.ts): commands go in,
// events come out. The lab's page speaks it to its module worker (or to the
// host on its main thread), the headless runner's page to its own host.
// Every run-scoped message carries the run id, so a late event of a stopped
// run can never be mistaken for the next run's. Receivers check what they get
// (isCommand / isEvent): a message is data, not trusted code.

import { ERROR_KINDS, type ErrorKind } from '../errors';
import type { LiveEval } from '../eval/live';
import type { AttentionMap } from '../eval/map';
import type { ResultsDoc } from '../eval/results';
import type { RunWeights } from '../eval/weights_block';
import type { RunConfig } from '../experiment/run_config';
import type { Progress } from '../experiment/runner';
import type { ExportFile } from '../export/bundle';
import { CONTEXT_MODES, type ContextMode } from '../sample/context_mode';
import type { PassageRequest, PassageResult, SampleRequest, SampleResult } from '../sample/request';

export { type ErrorKind, errorKind } from '../errors';
export type { Phase, Progress } from '../experiment/runner';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** The limits the lab checks configs against. */
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupStorageSize: number };
}

export type Command =
  /**
   * Requests the device. `corpusUrl`: where the Brown corpus is, as an absolute URL; the lab's page sends
   * it (it knows the address the lab is served at, a worker only its script's); default '/data/brown.json'.
   */
  | { type: 'hello'; corpusUrl?: string }
  /** Everything that can refuse the run before it trains (config, data, device limits): 'checked' or 'error'. */
  | { type: 'check'; runId: string; run: RunConfig; userText?: string }
  /** `torchExport`: also hand back the run's PyTorch export (src/export/) with its results; text runs only. */
  | { type: 'start'; runId: string; run: RunConfig; userText?: string; torchExport?: boolean }
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  | { type: 'stop'; runId: string }
  /** Continue text with the weights of finished run `runId` (kept by the host): 'samples' or 'error'. */
  | { type: 'sample'; runId: string; request: SampleRequest }
  /** Read a passage with finished run `runId`'s kept weights (per-character loss, top 5): 'passage' or 'error'. */
  | { type: 'passage'; runId: string; request: PassageRequest }
  /** Hand back finished run `runId`'s kept weights (to write them into a results file): 'weights' or 'error'. */
  | { type: 'weights'; runId: string }
  /** Keep weights read from a results file as run `runId`'s, so it can speak: 'kept' or 'error'. */
  | ({ type: 'keep'; runId: string } & RunWeights);

/** The engine's progress, unchanged, addressed to its run. */
export type ProgressEvent = { type: 'progress'; runId: string } & Progress;

export interface MetricsEvent {
  type: 'metrics';
  runId: string;
  step: number;
  loss: number;
  valLoss?: number;
  lr: number;
  tokensPerSecond: number;
}

/** A live evaluation of the run while it trains (src/eval/live.ts): its loss at a few lengths after `step` steps. */
export type LiveEvalEvent = { type: 'liveEval'; runId: string } & LiveEval;

export type Event =
  | { type: 'ready'; gpu: true; adapter: AdapterInfo }
  | { type: 'ready'; gpu: false; reason: string }
  | { type: 'checked'; runId: string }
  | ProgressEvent
  | MetricsEvent
  | LiveEvalEvent
  | { type: 'results'; runId: string; doc: ResultsDoc; maps: AttentionMap[]; torch?: ExportFile[] }
  | { type: 'paused'; runId: string; paused: boolean }
  | { type: 'stopped'; runId: string; step: number }
  | { type: 'samples'; runId: string; result: SampleResult }
  | { type: 'passage'; runId: string; result: PassageResult }
  | ({ type: 'weights'; runId: string } & RunWeights)
  | { type: 'kept'; runId: string }
  | { type: 'error'; runId: string | null; kind: ErrorKind; message: string };

/** The worker's 'ready' reason when it lacks WebGPU (the page then runs the engine itself). */
export const NO_WORKER_GPU = 'no-worker-gpu';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 100;
const isNum = (x: unknown): x is number => typeof x === 'number';

const isRunWeights = (x: Record<string, unknown>) =>
  isStr(x.runId) &&
  isObj(x.run) &&
  x.params instanceof Float32Array &&
  (x.userText === undefined || typeof x.userText === 'string');

export function isCommand(x: unknown): x is Command {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'hello':
      return x.corpusUrl === undefined || (typeof x.corpusUrl === 'string' && x.corpusUrl.length <= 2000);
    case 'check':
    case 'start':
      return isStr(x.runId) && isObj(x.run) && (x.userText === undefined || typeof x.userText === 'string');
    case 'pause':
    case 'resume':
    case 'stop':
      return isStr(x.runId);
    case 'sample':
      // A request from before the context field decodes as 'slide' (src/sample/request.ts).
      return (
        isStr(x.runId) &&
        isObj(x.request) &&
        (x.request.context === undefined || CONTEXT_MODES.includes(x.request.context as ContextMode))
      );
    case 'passage':
      return isStr(x.runId) && isObj(x.request);
    case 'weights':
      return isStr(x.runId);
    case 'keep':
      return isRunWeights(x);
    default:
      return false;
  }
}

const isLivePoint = (p: unknown) => isObj(p) && isNum(p.factor) && isNum(p.length) && isNum(p.loss);

export function isEvent(x: unknown): x is Event {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'ready':
      return x.gpu === true ? isObj(x.adapter) : x.gpu === false && typeof x.reason === 'string';
    case 'checked':
      return isStr(x.runId);
    case 'progress':
      return (
        isStr(x.runId) &&
        typeof x.phase === 'string' &&
        isNum(x.step) &&
        isNum(x.steps) &&
        isNum(x.loss) &&
        isNum(x.tokensPerSecond) &&
        isNum(x.etaSeconds)
      );
    case 'metrics':
      return isStr(x.runId) && isNum(x.step) && isNum(x.loss) && isNum(x.lr);
    case 'liveEval':
      return isStr(x.runId) && isNum(x.step) && Array.isArray(x.points) && x.points.every(isLivePoint);
    case 'results':
      return isStr(x.runId) && isObj(x.doc) && Array.isArray(x.maps);
    case 'paused':
      return isStr(x.runId) && typeof x.paused === 'boolean';
    case 'stopped':
      return isStr(x.runId) && isNum(x.step);
    case 'samples':
      return isStr(x.runId) && isObj(x.result) && Array.isArray(x.result.blocks);
    case 'passage':
      return (
        isStr(x.runId) &&
        isObj(x.result) &&
        Array.isArray(x.result.chars) &&
        Array.isArray(x.result.losses) &&
        Array.isArray(x.result.top)
      );
    case 'weights':
      return isRunWeights(x);
    case 'kept':
      return isStr(x.runId);
    case 'error':
      return (
        (x.runId === null || isStr(x.runId)) &&
        ERROR_KINDS.includes(x.kind as ErrorKind) &&
        typeof x.message === 'string'
      );
    default:
      return false;
  }
}
