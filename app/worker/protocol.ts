// The typed protocol between the lab's page and the worker that owns the GPU
// device. Commands go to the worker, events come back; every run-scoped
// message carries the run id, so a late event of a stopped run can never be
// mistaken for the next run's. Both sides check what they receive
// (isCommand / isEvent): a message is data, not trusted code.

import type { AttentionMap } from '../../src/eval/map';
import type { ResultsDoc } from '../../src/eval/results';
import type { RunConfig } from '../../src/experiment/run_config';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** The limits the lab checks configs against. */
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupStorageSize: number };
}

export type Command =
  | { type: 'hello' }
  | { type: 'start'; runId: string; run: RunConfig; userText?: string }
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  | { type: 'stop'; runId: string };

export type Phase = 'loading' | 'train' | 'eval' | 'maps';

export interface ProgressEvent {
  type: 'progress';
  runId: string;
  phase: Phase;
  step: number;
  steps: number;
  loss: number;
  tokensPerSecond: number;
  etaSeconds: number;
}

export interface MetricsEvent {
  type: 'metrics';
  runId: string;
  step: number;
  loss: number;
  valLoss?: number;
  lr: number;
  tokensPerSecond: number;
}

export type Event =
  | { type: 'ready'; gpu: true; adapter: AdapterInfo }
  | { type: 'ready'; gpu: false; reason: string }
  | ProgressEvent
  | MetricsEvent
  | { type: 'results'; runId: string; doc: ResultsDoc; maps: AttentionMap[] }
  | { type: 'paused'; runId: string; paused: boolean }
  | { type: 'stopped'; runId: string; step: number }
  | { type: 'error'; runId: string | null; kind: ErrorKind; message: string };

/** The worker's 'ready' reason when it lacks WebGPU (the page then runs the engine itself). */
export const NO_WORKER_GPU = 'no-worker-gpu';

/** How a run failed, so the page can say what to do. */
export type ErrorKind = 'config' | 'data' | 'limits' | 'device-lost' | 'diverged' | 'internal';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 100;
const isNum = (x: unknown): x is number => typeof x === 'number';

export function isCommand(x: unknown): x is Command {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'hello':
      return true;
    case 'start':
      return isStr(x.runId) && isObj(x.run) && (x.userText === undefined || typeof x.userText === 'string');
    case 'pause':
    case 'resume':
    case 'stop':
      return isStr(x.runId);
    default:
      return false;
  }
}

const ERROR_KINDS: readonly ErrorKind[] = ['config', 'data', 'limits', 'device-lost', 'diverged', 'internal'];

export function isEvent(x: unknown): x is Event {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'ready':
      return x.gpu === true ? isObj(x.adapter) : x.gpu === false && typeof x.reason === 'string';
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
    case 'results':
      return isStr(x.runId) && isObj(x.doc) && Array.isArray(x.maps);
    case 'paused':
      return isStr(x.runId) && typeof x.paused === 'boolean';
    case 'stopped':
      return isStr(x.runId) && isNum(x.step);
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

/** The error kind of a thrown value, by its class name (classes do not cross the worker boundary). */
export function errorKind(e: unknown): ErrorKind {
  const name = e instanceof Error ? e.name : '';
  if (name === 'ConfigError') return 'config';
  if (name === 'DataError') return 'data';
  if (name === 'ResourceLimitError') return 'limits';
  if (name === 'DeviceLostError') return 'device-lost';
  if (name === 'NonFiniteError') return 'diverged';
  return 'internal';
}
