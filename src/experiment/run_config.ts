// A run's configuration: typed, versioned, validated by one zod schema built
// from the field table (each field's values) with a refinement for the rules
// that span fields; and its conversion into the engine's model, training and
// evaluation configs.
import { z } from 'zod';
import {
  ConfigError,
  DEFAULT_MODEL,
  DEFAULT_TRAIN,
  type Mechanism,
  type ModelConfig,
  modelConfigProblem,
  type Positional,
  type ReweightMode,
  type TrainConfig,
} from '../config';
import { DEFAULT_EVAL, type EvalConfig, NONAPPROX_WINDOW, type Placement } from '../eval/config';
import { expandPattern, type Pattern } from '../model/patterns';
import { FIELDS, fieldSchema, setPath } from './fields';

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
    liveEvalEvery: number;
  };
  eval: {
    factors: number[];
    windows: number;
    seed: number;
    buckets: number;
    reweightSweep: number[];
    hybridskip: boolean;
    diagnostics: boolean;
    windowed: boolean;
    placement: Placement;
    passkeyTrials: number;
  };
}

/** Nested zod object of the fields' schemas, by their dotted paths. */
function fieldsSchema(): z.ZodType {
  type Node = { [k: string]: Node | z.ZodType };
  const root: Node = {};
  for (const f of FIELDS) {
    const keys = f.path.split('.');
    let n = root;
    for (const k of keys.slice(0, -1)) n = (n[k] ??= {}) as Node;
    n[keys[keys.length - 1]] = fieldSchema(f);
  }
  const toZod = (n: Node): z.ZodType =>
    z.strictObject(Object.fromEntries(Object.entries(n).map(([k, v]) => [k, v instanceof z.ZodType ? v : toZod(v)])));
  return toZod(root);
}

/**
 * The rules that span fields, in order; the first broken one, or null. The
 * model's own rules (width and heads, RoPE's even head width, a positional
 * scheme with no pairwise scores) are the engine's (modelConfigProblem).
 */
function crossFieldProblem(c: RunConfig): string | null {
  if (c.model.layers.length && c.model.layers.length !== c.model.nLayer)
    return `the per-layer override lists ${c.model.layers.length} mechanisms for ${c.model.nLayer} layers`;
  const model = modelConfigProblem(toModelConfig(c, DEFAULT_MODEL.vocabSize));
  if (model) return model;
  if (c.train.warmupSteps > c.train.steps)
    return `warm-up (${c.train.warmupSteps} steps) is longer than training (${c.train.steps} steps)`;
  const maxLen = Math.max(...c.eval.factors) * c.train.seqLen;
  if (maxLen > 65536) return `the longest evaluation length ${maxLen} exceeds 65536 tokens`;
  if (c.eval.windowed && layersOf(c).includes('nonapprox')) return NONAPPROX_WINDOW;
  if (c.data.source === 'task' && c.eval.passkeyTrials > 0 && c.data.task !== 'passkey')
    return `passkey trials need the passkey task or text data, not the ${c.data.task} task`;
  return null;
}

/**
 * The one validator of a run config: every field's schema, then (only when
 * those all pass) the cross-field rules as a refinement.
 */
export const runConfigSchema = fieldsSchema().superRefine(
  (c, ctx) => {
    const problem = crossFieldProblem(c as RunConfig);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  },
  { when: (payload) => payload.issues.length === 0 },
);

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
 * Validates a whole run config against its schema (field types and ranges,
 * then the rules that span fields). Throws a ConfigError naming the first
 * problem: a field's by its path, a cross-field rule's on its own.
 */
export function checkRunConfig(value: unknown): RunConfig {
  const r = runConfigSchema.safeParse(value);
  if (r.success) return r.data as RunConfig;
  const issue = r.error.issues[0];
  if (issue.code === 'custom') throw new ConfigError(issue.message);
  throw new ConfigError(`${issue.path.join('.') || 'config'}: ${issue.message}`);
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
