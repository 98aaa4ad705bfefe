// A run's configuration: typed, versioned, validated by a zod schema built
// from the field table, with cross-field checks; and its conversion into the
// engine's model, training and evaluation configs.
import { z } from 'zod';
import {
  ConfigError,
  checkModelConfig,
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  type Mechanism,
  type ModelConfig,
  type Positional,
  type ReweightMode,
  type TrainConfig,
} from '../config';
import { DEFAULT_EVAL, type EvalConfig } from '../eval/config';
import { expandPattern, type Pattern } from '../model/patterns';
import { FIELDS, type Field, setPath } from './fields';

export const CONFIG_VERSION = 1;

export interface RunConfig {
  label: string;
  seed: number;
  model: {
    nLayer: number;
    nHead: number;
    nEmbd: number;
    positional: Positional;
    tiedEmbeddings: boolean;
    mlpRatio: number;
    initStd: number;
    mechanism: Mechanism;
    pattern: Pattern;
    layers: Mechanism[];
    reweight: { mode: ReweightMode; p: number };
  };
  data: { source: 'brown' | 'task' | 'text'; task: 'passkey' | 'copy' | 'recall' };
  train: {
    steps: number;
    batchSize: number;
    seqLen: number;
    lr: number;
    warmupSteps: number;
    minLrRatio: number;
    weightDecay: number;
    gradClip: number;
    logEvery: number;
    evalEvery: number;
  };
  eval: {
    factors: number[];
    windows: number;
    seed: number;
    buckets: number;
    reweightSweep: number[];
    hybridskip: boolean;
    diagnostics: boolean;
    passkeyTrials: number;
  };
}

function zodOf(f: Field): z.ZodType {
  const k = f.kind;
  switch (k.type) {
    case 'int':
      return z.number().int().min(k.min).max(k.max);
    case 'float':
      return z.number().finite().min(k.min).max(k.max);
    case 'bool':
      return z.boolean();
    case 'enum':
      return z.enum(k.values as [string, ...string[]]);
    case 'string':
      return z.string().max(k.maxLength);
    case 'intList':
      return z.array(z.number().int().min(k.min).max(k.max)).max(k.maxItems);
    case 'floatList':
      return z.array(z.number().finite().min(k.min).max(k.max)).max(k.maxItems);
    case 'enumList':
      return z.array(z.enum(k.values as [string, ...string[]])).max(k.maxItems);
  }
}

/** Nested zod object from the dotted field paths. */
function buildSchema(): z.ZodType {
  type Node = { [k: string]: Node | z.ZodType };
  const root: Node = {};
  for (const f of FIELDS) {
    const keys = f.path.split('.');
    let n = root;
    for (const k of keys.slice(0, -1)) n = (n[k] ??= {}) as Node;
    n[keys[keys.length - 1]] = zodOf(f);
  }
  const toZod = (n: Node): z.ZodType =>
    z.strictObject(Object.fromEntries(Object.entries(n).map(([k, v]) => [k, v instanceof z.ZodType ? v : toZod(v)])));
  return toZod(root);
}

export const runConfigSchema = buildSchema();

export const DEFAULT_RUN: RunConfig = (() => {
  const o: Record<string, unknown> = {};
  for (const f of FIELDS) setPath(o, f.path, structuredClone(f.default));
  return o as unknown as RunConfig;
})();

/** The per-layer mechanism list: the override when given, else the pattern. */
export function layersOf(r: RunConfig): Mechanism[] {
  return r.model.layers.length ? r.model.layers : expandPattern(r.model.pattern, r.model.mechanism, r.model.nLayer);
}

export function toModelConfig(r: RunConfig, vocabSize: number): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    vocabSize,
    nLayer: r.model.nLayer,
    nHead: r.model.nHead,
    nEmbd: r.model.nEmbd,
    layers: layersOf(r),
    positional: r.model.positional,
    tiedEmbeddings: r.model.tiedEmbeddings,
    mlpRatio: r.model.mlpRatio,
    reweight: { ...r.model.reweight },
    trainLength: r.train.seqLen,
    initStd: r.model.initStd,
    seed: r.seed,
  };
}

export function toTrainConfig(r: RunConfig): TrainConfig {
  return { ...DEFAULT_TRAIN, ...r.train, seed: r.seed };
}

export function toEvalConfig(r: RunConfig): EvalConfig {
  const { passkeyTrials: _pk, ...e } = r.eval;
  void _pk;
  return { ...DEFAULT_EVAL, ...e, lengths: [] };
}

/**
 * Validates a whole run config: field types and ranges (schema), then the
 * checks that span fields. Throws a ConfigError naming the first problem.
 */
export function checkRunConfig(value: unknown): RunConfig {
  const r = runConfigSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  const c = r.data as RunConfig;
  if (c.model.layers.length && c.model.layers.length !== c.model.nLayer)
    throw new ConfigError(
      `the per-layer override lists ${c.model.layers.length} mechanisms for ${c.model.nLayer} layers`,
    );
  if (c.model.nEmbd % c.model.nHead !== 0)
    throw new ConfigError(`width ${c.model.nEmbd} is not divisible by ${c.model.nHead} heads`);
  checkModelConfig(toModelConfig(c, 96));
  if (c.train.warmupSteps > c.train.steps)
    throw new ConfigError(`warm-up (${c.train.warmupSteps} steps) is longer than training (${c.train.steps} steps)`);
  const maxLen = Math.max(...c.eval.factors) * c.train.seqLen;
  if (maxLen > 65536) throw new ConfigError(`the longest evaluation length ${maxLen} exceeds 65536 tokens`);
  if (c.data.source === 'task' && c.eval.passkeyTrials > 0 && c.data.task !== 'passkey')
    throw new ConfigError(`passkey trials need the passkey task or text data, not the ${c.data.task} task`);
  return c;
}

/** A run config from defaults plus overrides (validated). */
export function makeRun(...overrides: DeepPartial<RunConfig>[]): RunConfig {
  let o: unknown = structuredClone(DEFAULT_RUN);
  for (const ov of overrides) o = merge(o, ov);
  return checkRunConfig(o);
}

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over) || typeof over !== 'object' || over === null || typeof base !== 'object' || base === null)
    return structuredClone(over);
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}
