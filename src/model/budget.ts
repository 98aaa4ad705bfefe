// The limit check: a run the device cannot hold is refused BEFORE anything is
// allocated, naming the limit it breaks and the largest batch / length that
// fits. It reads the memory plan (src/model/memory_plan.ts), the same plan
// the model, graphs and trainer allocate from. executeRun checks a whole run
// once; a Graph's allocator refuses its own plan with the same function.
import { ConfigError, checkModelConfig, type ModelConfig } from '../config';
import { ResourceLimitError } from '../errors';
import { MAXHD } from '../kernels/attention_constants';
import {
  type MemoryPlan,
  type PlannedBuffer,
  type PlanOptions,
  planGraph,
  planMemory,
  planOptions,
  planParams,
  planTrainer,
} from './memory_plan';
import { streamKind } from './stream';

/** The device limits the budget is checked against (a GPUSupportedLimits fits). */
export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
}

/** One more graph a run builds while its model lives (an evaluation at one length). */
export interface GraphShape {
  B: number;
  T: number;
  options: PlanOptions;
}

/** The graph checkFits plans at (B, T), and the run's other graphs. */
export interface FitOptions extends PlanOptions {
  /** Evaluation graphs (fixed shapes), each checked against the same limits. */
  evaluation?: GraphShape[];
}

/** Workgroup memory of the engine's largest kernels (grad_norm_*.wgsl: 256 f32). */
export const ENGINE_WORKGROUP_STORAGE_BYTES = 1024;
/** Invocations per workgroup of the engine's widest kernels. */
export const ENGINE_WORKGROUP_INVOCATIONS = 256;
/** Largest head width of the attention kernels. */
const ATTENTION_MAX_HD = MAXHD;
/** The attention kernels put B*H on the y dimension of the dispatch. */
const MAX_DISPATCH = 65535;

interface Problem {
  what: string;
  limit: string;
  needed: number;
  allowed: number;
  /** Whether a smaller batch or length can help. */
  shape: boolean;
  unit: 'bytes' | 'count';
}

const FRIENDLY: [RegExp, string][] = [
  [/\.att(_reweighted)?$|^attention_ds$|\.d_att/, 'attention weights'],
  [/^logits$|^d_logits$/, 'logits'],
  [/fc|gelu/, 'MLP hidden'],
  [/^(params|grads|adam_m|adam_v)$|checkpoint/, 'parameter arena'],
];
const friendly = (label: string) => {
  const f = FRIENDLY.find(([re]) => re.test(label));
  return f ? `the ${f[1]} buffer (${label})` : `the ${label} buffer`;
};

/** Labels of the buffers whose size does not depend on batch or length. */
const fixedLabels = (c: ModelConfig) => new Set([...planParams(c), ...planTrainer(c)].map((b) => b.label));

/** The first limit graph `g` of a run breaks (with `buffers`, the run's plan), or null. */
function findProblem(c: ModelConfig, g: GraphShape, limits: DeviceLimits, buffers: PlannedBuffer[]): Problem | null {
  const { B, T, options: o } = g;
  const hasAttention = c.layers.some((m) => m !== 'mlp' && m !== 'nonapprox');
  const hd = c.nEmbd / c.nHead;
  if (limits.maxComputeWorkgroupStorageSize < ENGINE_WORKGROUP_STORAGE_BYTES)
    return {
      what: "the engine's reduction kernels",
      limit: 'maxComputeWorkgroupStorageSize',
      needed: ENGINE_WORKGROUP_STORAGE_BYTES,
      allowed: limits.maxComputeWorkgroupStorageSize,
      shape: false,
      unit: 'bytes',
    };
  if (limits.maxComputeInvocationsPerWorkgroup < ENGINE_WORKGROUP_INVOCATIONS)
    return {
      what: "the engine's kernels (workgroups of 256)",
      limit: 'maxComputeInvocationsPerWorkgroup',
      needed: ENGINE_WORKGROUP_INVOCATIONS,
      allowed: limits.maxComputeInvocationsPerWorkgroup,
      shape: false,
      unit: 'count',
    };
  if (hasAttention && hd > ATTENTION_MAX_HD)
    return {
      what: `the head width nEmbd / nHead = ${hd}`,
      limit: "the attention kernels' maximum head width",
      needed: hd,
      allowed: ATTENTION_MAX_HD,
      shape: false,
      unit: 'count',
    };
  const rows = streamKind(c.layers) ? 2 * B : B;
  const dispatch = Math.min(MAX_DISPATCH, limits.maxComputeWorkgroupsPerDimension);
  if (rows * c.nHead > dispatch)
    return {
      what: `batch x heads (${rows} x ${c.nHead} workgroup rows)`,
      limit: 'maxComputeWorkgroupsPerDimension',
      needed: rows * c.nHead,
      allowed: dispatch,
      shape: true,
      unit: 'count',
    };
  if (Math.ceil((rows * T) / 32) > limits.maxComputeWorkgroupsPerDimension)
    return {
      what: `the matmul row tiles of ${rows * T} tokens`,
      limit: 'maxComputeWorkgroupsPerDimension',
      needed: Math.ceil((rows * T) / 32),
      allowed: limits.maxComputeWorkgroupsPerDimension,
      shape: true,
      unit: 'count',
    };
  // u32 element indices in the attention kernels.
  const idx = o.fused ? rows * c.nHead * T * hd : rows * c.nHead * T * T;
  if (hasAttention && idx >= 2 ** 32)
    return {
      what: 'the attention index space',
      limit: 'u32 indexing',
      needed: idx,
      allowed: 2 ** 32 - 1,
      shape: true,
      unit: 'count',
    };
  // The buffer furthest over its limit (the one to name when several are).
  let worst: Problem | null = null;
  for (const b of buffers) {
    const limit =
      b.binding && limits.maxStorageBufferBindingSize <= limits.maxBufferSize
        ? 'maxStorageBufferBindingSize'
        : 'maxBufferSize';
    const allowed = limit === 'maxBufferSize' ? limits.maxBufferSize : limits.maxStorageBufferBindingSize;
    if (b.bytes > allowed && (!worst || b.bytes / allowed > worst.needed / worst.allowed))
      worst = {
        what: friendly(b.label),
        limit,
        needed: b.bytes,
        allowed,
        shape: !fixedLabels(c).has(b.label),
        unit: 'bytes',
      };
  }
  return worst;
}

/** Human-readable bytes (binary units) with the exact count. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n,
    u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${n} bytes)`;
}

/** Largest x in [1, hi) with fits(x) (fits is monotone: true below a threshold), 0 if none. */
function largest(hi: number, fits: (x: number) => boolean): number {
  let lo = 0;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

const NO_SHAPE_ADVICE =
  'no batch or length fits; make the model smaller (nEmbd, nLayer, nHead, vocabSize) ' +
  'or use a device with higher limits';

/**
 * Throws a ResourceLimitError (a ConfigError) naming the first limit the run
 * breaks and the largest batch (at this length) and longest length (at this
 * batch) that fit; otherwise returns the plan. Allocates nothing. A bare
 * `training` flag plans the trainer's (true) or evaluator's (false) graph;
 * `evaluation` adds the run's evaluation graphs to the check.
 */
export function checkFits(
  config: ModelConfig,
  B: number,
  T: number,
  limits: DeviceLimits,
  training: boolean | FitOptions = true,
): MemoryPlan {
  checkModelConfig(config); // a plan of an inconsistent config means nothing
  const o: FitOptions = planOptions(config, training);
  for (const [k, v] of [
    ['batch', B],
    ['seqLen', T],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${k} must be a positive integer, got ${v}`);
  const planOf = (b: number, t: number) => planMemory(config, b, t, o);
  const plan = planOf(B, T);
  const p = findProblem(config, { B, T, options: o }, limits, plan.buffers);
  if (!p) {
    for (const g of o.evaluation ?? []) checkEvaluation(config, g, limits);
    return plan;
  }
  const fits = (b: number, t: number) =>
    findProblem(config, { B: b, T: t, options: o }, limits, planOf(b, t).buffers) === null;
  const bMax = p.shape ? largest(B, (b) => fits(b, T)) : 0;
  const tMax = p.shape ? largest(T, (t) => fits(B, t)) : 0;
  let advice: string;
  if (!p.shape) advice = NO_SHAPE_ADVICE;
  else if (bMax > 0)
    advice =
      `the largest batch that fits at seqLen ${T} is ${bMax}` +
      (tMax > 0 ? `, or the longest seqLen at batch ${B} is ${tMax}` : '');
  else if (tMax > 0) advice = `no batch fits at seqLen ${T}; the longest seqLen at batch ${B} is ${tMax}`;
  else {
    const t1 = largest(T, (t) => fits(1, t));
    advice =
      t1 > 0
        ? `no batch fits at seqLen ${T}; the longest seqLen at batch 1 is ${t1}`
        : 'nothing fits even at batch 1 and seqLen 1';
  }
  throw refusal(p, advice, bMax, tMax);
}

function refusal(p: Problem, advice: string, bMax: number, tMax: number, context = ''): ResourceLimitError {
  const fmt = (n: number) => (p.unit === 'bytes' ? formatBytes(n) : String(n));
  return new ResourceLimitError(
    `${context}${p.what} needs ${fmt(p.needed)} but ${p.limit} is ${fmt(p.allowed)}; ${advice}`,
    p.limit,
    p.needed,
    p.allowed,
    bMax,
    tMax,
  );
}

/** One evaluation graph of a run: its shape is the evaluator's, so the advice is about the model or the lengths. */
function checkEvaluation(config: ModelConfig, g: GraphShape, limits: DeviceLimits): void {
  const p = findProblem(config, g, limits, planGraph(config, g.B, g.T, g.options));
  if (p)
    throw refusal(
      p,
      'evaluate shorter lengths, or make the model smaller (nEmbd, nLayer, nHead, vocabSize)',
      0,
      0,
      `evaluating at length ${g.T} (${g.B} windows at once): `,
    );
}

/** The model's arenas alone (GptModel's allocator): independent of batch and length. */
export function checkParamsFit(config: ModelConfig, limits: DeviceLimits): void {
  const p = findProblem(config, { B: 1, T: 1, options: { training: false } }, limits, planParams(config));
  if (p && !p.shape)
    throw refusal(p, 'make the model smaller (nEmbd, nLayer, vocabSize) or use a device with higher limits', 0, 0);
}
