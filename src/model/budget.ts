// Memory and resource budget of a model from its configuration alone, so a
// configuration the device cannot hold is refused BEFORE anything is
// allocated, with the limit it breaks and the largest batch / length that
// fits. planGraph mirrors the Graph's allocations (and its programs' scratch)
// buffer by buffer; tests/gpu/reliability.test.ts checks it against the bytes
// a real Graph takes.
import { ConfigError, type ModelConfig } from '../config';
import { ResourceLimitError } from '../errors';
import { type GemmArgs, planGemm } from '../kernels/matmul';
import { ROW_NORMALISED } from './mixers';
import { buildParamTable, gatedHidden, mlpHidden, paramSpecs } from './params';
import { STATS_FLOATS } from './shapes';
import { streamKind } from './stream';

/** The device limits the budget is checked against (a GPUSupportedLimits fits). */
export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
}

export interface PlannedBuffer {
  label: string;
  /** Bytes as GpuContext allocates them (rounded up to 16, at least 16). */
  bytes: number;
  /** Bound as a storage buffer (so maxStorageBufferBindingSize applies). */
  binding: boolean;
}

export interface MemoryPlan {
  buffers: PlannedBuffer[];
  totalBytes: number;
  largestBinding: PlannedBuffer;
}

export interface PlanOptions {
  training: boolean;
  /** Graph-level re-weighting exponent (undefined: off, as in GraphOptions). */
  reweightP?: number | null;
  fused?: boolean;
  diagnostics?: boolean;
  skipNonSoftmax?: boolean;
}

/** Workgroup memory of the engine's largest kernels (grad_norm_*.wgsl, rmsnorm_backward_dweight.wgsl: 256 f32). */
export const ENGINE_WORKGROUP_STORAGE_BYTES = 1024;
/** Invocations per workgroup of the engine's widest kernels. */
export const ENGINE_WORKGROUP_INVOCATIONS = 256;
/** Largest head width of the attention kernels (MAXHD in src/kernels/attention*.ts). */
export const ATTENTION_MAX_HD = 256;
/** The attention kernels put B*H on the y dimension of the dispatch. */
const MAX_DISPATCH = 65535;
/** Positions per thread of loss_mean_partials.wgsl (CHUNK in src/kernels/crossentropy.ts). */
const LOSS_CHUNK = 256;
/** Workgroup cap of the gradient norm's first stage (src/kernels/adamw.ts). */
const OPT_GROUPS = (n: number) => Math.max(1, Math.min(Math.ceil(n / 256), 1024));
/** Chunks of the non-finite check (src/kernels/nonfinite.ts). */
const NONFINITE_CHUNKS = (n: number) => Math.max(1, Math.ceil(n / 256));

/** Bytes GpuContext.createBuffer takes for `floats` floats. */
export function bufferBytes(floats: number): number {
  return Math.max(16, Math.ceil((floats * 4) / 16) * 16);
}

/** A bare `training` flag plans the run the trainer (true) or evaluator (false) builds for the config. */
const optsFor = (c: ModelConfig, o: boolean | PlanOptions): PlanOptions =>
  typeof o === 'boolean' ? { training: o, reweightP: defaultReweight(c, o) } : o;

/** The re-weighting exponent the trainer (training) or evaluator uses by default (src/model/mixers.ts reweightFor). */
function defaultReweight(c: ModelConfig, training: boolean): number | null {
  if (c.reweight.mode === 'train') return c.reweight.p;
  if (c.reweight.mode === 'eval' && !training) return c.reweight.p;
  return null;
}

/** The model's arenas (GptModel): params, grads, Adam m and v, stats. */
export function planParams(c: ModelConfig): PlannedBuffer[] {
  const n = buildParamTable(paramSpecs(c)).total;
  return [
    ...['params', 'grads', 'adam_m', 'adam_v'].map((label) => ({ label, bytes: bufferBytes(n), binding: true })),
    { label: 'stats', bytes: bufferBytes(STATS_FLOATS), binding: true },
  ];
}

/** The trainer's own buffers: uniforms, stats and checkpoint staging, optimiser scratch. */
export function planTrainer(c: ModelConfig, checkpoints = true): PlannedBuffer[] {
  const n = buildParamTable(paramSpecs(c)).total;
  const out: PlannedBuffer[] = [
    { label: 'adamw hyper', bytes: bufferBytes(8), binding: false },
    { label: 'nonfinite step', bytes: bufferBytes(4), binding: false },
    { label: 'stats staging', bytes: bufferBytes(STATS_FLOATS), binding: false },
    { label: 'grad_norm partials', bytes: bufferBytes(OPT_GROUPS(n)), binding: true },
    { label: 'nonfinite partials', bytes: bufferBytes(2 * NONFINITE_CHUNKS(n)), binding: true },
  ];
  if (checkpoints)
    for (const a of ['params', 'm', 'v'])
      out.push({ label: `checkpoint ${a} staging`, bytes: bufferBytes(n), binding: false });
  return out;
}

const gemmArgs = (M: number, N: number, K: number, sAm: number, sAk: number, sBk: number, sBn: number): GemmArgs =>
  ({ a: null, b: null, c: null, M, N, K, sAm, sAk, sBk, sBn }) as unknown as GemmArgs;

/**
 * The activations and program scratch of `new Graph(model, B, T, options)`,
 * in allocation order (program uniforms excluded: at most one small uniform
 * per dispatch).
 */
export function planGraph(c: ModelConfig, B: number, T: number, options: boolean | PlanOptions): PlannedBuffer[] {
  const o = optsFor(c, options);
  const training = o.training;
  if (training && o.skipNonSoftmax) throw new Error('hybridskip is an evaluation mode, not a training graph');
  if (training && o.fused) throw new Error('the fused attention path is forward-only (evaluation)');
  const out: PlannedBuffer[] = [];
  const buf = (label: string, floats: number) => out.push({ label, bytes: bufferBytes(floats), binding: true });
  const stream = streamKind(c.layers);
  const rows = stream ? 2 * B : B;
  const N = rows * T,
    C = c.nEmbd,
    V = c.vocabSize,
    F = mlpHidden(c),
    H = c.nHead,
    hd = C / H;
  const heads = N * C;
  const att = rows * H * T * T;
  const graphP = o.reweightP ?? null;
  const shared = new Set<string>();
  const sharedBuf = (key: string, floats: number) => {
    if (!shared.has(key)) buf(key, floats);
    shared.add(key);
  };
  // Program scratch of the matmuls (src/kernels/matmul.ts): W^T for vec4 forwards, split-K partials.
  const gemm = (label: string, g: GemmArgs) => {
    const S = planGemm(g).splitK;
    if (S > 1) buf(`${label} split-K partials`, S * g.M * g.N);
  };
  const mmForward = (label: string, M: number, IC: number, OC: number) => {
    if (OC % 4 === 0) {
      buf(`${label} W^T`, IC * OC);
      gemm(label, gemmArgs(M, OC, IC, IC, 1, OC, 1));
    } else gemm(label, gemmArgs(M, OC, IC, IC, 1, 1, IC));
  };
  const mmBackward = (label: string, M: number, IC: number, OC: number, dinp = true) => {
    if (dinp) gemm(`${label} dinp`, gemmArgs(M, IC, OC, OC, 1, IC, 1));
    gemm(`${label} dweight`, gemmArgs(OC, IC, M, 1, OC, IC, 1));
  };

  buf('tokens', N);
  buf('targets', N);
  buf('x0', N * C);
  if (stream === 'rndemb') {
    buf('wte_with_stream', (V + T) * C);
    buf('zeros_wte', V * C);
  }
  const hasStatic = c.layers.includes('staticembqk');
  if (hasStatic) {
    buf('ones_C', C);
    buf('norm_emb', N * C);
    buf('rstd_emb', N);
    buf(training ? 'd_norm_emb' : 'unused', training ? N * C : 4);
    buf('d_ones_unused', C);
  }
  for (let l = 0; l < c.nLayer; l++) {
    for (const [name, floats] of [
      ['ln1', N * C],
      ['rstd1', N],
      ['mix', N * C],
      ['res1', N * C],
      ['ln2', N * C],
      ['rstd2', N],
      ['fc', N * F],
      ['fc_gelu', N * F],
      ['proj', N * C],
      ['res2', N * C],
    ] as const)
      buf(`h${l}.${name}`, floats);
    const mech = c.layers[l];
    if (mech === 'mlp') {
      const g = gatedHidden(c);
      for (const k of ['gate', 'up', 'hidden']) buf(`h${l}.mix.${k}`, N * g);
      if (training) {
        for (const k of ['gate', 'up', 'hidden']) buf(`h${l}.d_mix.${k}`, N * g);
        buf(`h${l}.d_mix.inp_up`, N * C);
      }
    } else if (mech === 'nonapprox') {
      buf(`h${l}.qkv`, 3 * N * C);
      for (const k of ['q', 'q_silu', 'k', 'v', 'y']) buf(`h${l}.${k}`, heads);
      buf(`h${l}.scan_stats`, rows * H * T * 2);
      buf(`h${l}.y_merged`, N * C);
      if (training) {
        buf(`h${l}.d_qkv`, 3 * N * C);
        for (const k of ['q', 'q_silu', 'k', 'v', 'y']) buf(`h${l}.d_${k}`, heads);
        buf(`h${l}.d_y_merged`, N * C);
      }
    } else {
      // AttentionMixer (src/model/attention_mixer.ts).
      const own = mech !== 'rndembqk' && mech !== 'fixedseqqk' && mech !== 'staticembqk';
      const isStatic = mech === 'staticembqk';
      const p = mech === 'lssar' ? c.reweight.p : own ? (ROW_NORMALISED.includes(mech) ? graphP : null) : graphP;
      const rope = c.positional === 'rope';
      buf(`h${l}.qkv`, 3 * N * C);
      for (const k of ['q', 'k', 'v']) buf(`h${l}.${k}`, heads);
      if (!own) for (const k of ['q_source', 'k_source']) buf(`h${l}.${k}`, heads);
      if (isStatic) {
        buf(`h${l}.qkv_static`, 3 * N * C);
        buf(`h${l}.v_static_unused`, heads);
      }
      if (rope) {
        sharedBuf(`rope_table_T${T}_hd${hd}`, T * hd);
        for (const k of ['q_rope', 'k_rope']) buf(`h${l}.${k}`, heads);
      }
      if (!o.fused) {
        buf(`h${l}.att`, att);
        buf(`h${l}.att_rowstat`, rows * H * T);
        if (p !== null) buf(`h${l}.att_reweighted`, att);
      }
      if (o.diagnostics) buf(`h${l}.att_diagnostics`, rows * H * T * 4);
      buf(`h${l}.y`, heads);
      buf(`h${l}.y_merged`, N * C);
      if (training) {
        sharedBuf('attention_ds', att);
        if (isStatic) sharedBuf('zeros_heads', heads);
        buf(`h${l}.d_qkv`, 3 * N * C);
        for (const k of ['q', 'k', 'v']) buf(`h${l}.d_${k}`, heads);
        if (!own) for (const k of ['q_source', 'k_source']) buf(`h${l}.d_${k}`, heads);
        if (rope) for (const k of ['q_rope', 'k_rope']) buf(`h${l}.d_${k}`, heads);
        buf(`h${l}.d_att`, att);
        if (p !== null) buf(`h${l}.d_att_reweighted`, att);
        buf(`h${l}.d_y`, heads);
        buf(`h${l}.d_y_merged`, N * C);
        if (isStatic) buf(`h${l}.d_qkv_static`, 3 * N * C);
      }
    }
  }
  buf('lnf', N * C);
  buf('rstdf', N);
  buf('logits', N * V);
  buf('losses', N);
  if (training) {
    buf('d_logits', N * V);
    for (const k of ['d_residual', 'd_ln', 'd_mix']) buf(k, N * C);
    for (const k of ['d_fc_gelu', 'd_fc']) buf(k, N * F);
  }

  // Forward program scratch, in recording order.
  for (let l = 0; l < c.nLayer; l++) {
    if (o.skipNonSoftmax && c.layers[l] !== 'softmax') continue;
    const mech = c.layers[l];
    if (mech === 'mlp') {
      const g = gatedHidden(c);
      mmForward(`h${l}.mix.gate`, N, C, g);
      mmForward(`h${l}.mix.up`, N, C, g);
      mmForward(`h${l}.mix.down`, N, g, C);
    } else {
      mmForward(`h${l}.qkv`, N, C, 3 * C);
      if (mech === 'staticembqk') mmForward(`h${l}.qkv_static`, N, C, 3 * C);
      mmForward(`h${l}.attn_out`, N, C, C);
    }
    mmForward(`h${l}.fc`, N, C, F);
    mmForward(`h${l}.proj`, N, F, C);
  }
  mmForward('logits', N, C, V);
  buf('loss_mean partials', 2 * Math.max(1, Math.ceil(N / LOSS_CHUNK)));
  if (!training) return out;

  // Backward program scratch.
  mmBackward('lm_head', N, C, V);
  for (let l = c.nLayer - 1; l >= 0; l--) {
    const mech = c.layers[l];
    mmBackward(`h${l}.proj`, N, F, C);
    mmBackward(`h${l}.fc`, N, C, F);
    if (mech === 'mlp') {
      const g = gatedHidden(c);
      mmBackward(`h${l}.mix.down`, N, g, C);
      mmBackward(`h${l}.mix.gate`, N, C, g);
      mmBackward(`h${l}.mix.up`, N, C, g);
    } else {
      mmBackward(`h${l}.attn_out`, N, C, C);
      if (mech === 'staticembqk') {
        mmBackward(`h${l}.qkv_static`, N, C, 3 * C, false);
        gemm(`h${l}.d_norm_emb`, gemmArgs(N, C, 3 * C, 3 * C, 1, C, 1));
      }
      mmBackward(`h${l}.qkv`, N, C, 3 * C);
    }
  }
  return out;
}

function summarise(buffers: PlannedBuffer[]): MemoryPlan {
  let largestBinding: PlannedBuffer = { label: 'none', bytes: 0, binding: true };
  let totalBytes = 0;
  for (const b of buffers) {
    totalBytes += b.bytes;
    if (b.binding && b.bytes > largestBinding.bytes) largestBinding = b;
  }
  return { buffers, totalBytes, largestBinding };
}

/**
 * Everything a run of `config` at batch B and length T holds: the model's
 * arenas, the graph and, when training, the trainer's buffers.
 */
export function planMemory(config: ModelConfig, B: number, T: number, training: boolean | PlanOptions): MemoryPlan {
  const o = optsFor(config, training);
  return summarise([...planParams(config), ...planGraph(config, B, T, o), ...(o.training ? planTrainer(config) : [])]);
}

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

function findProblem(
  c: ModelConfig,
  B: number,
  T: number,
  o: PlanOptions,
  limits: DeviceLimits,
  buffers: PlannedBuffer[],
): Problem | null {
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

/**
 * Throws a ResourceLimitError (a ConfigError) naming the first limit the run
 * breaks and the largest batch (at this length) and longest length (at this
 * batch) that fit; otherwise returns the plan. Allocates nothing.
 */
export function checkFits(
  config: ModelConfig,
  B: number,
  T: number,
  limits: DeviceLimits,
  training: boolean | PlanOptions = true,
): MemoryPlan {
  const o = optsFor(config, training);
  for (const [k, v] of [
    ['batch', B],
    ['seqLen', T],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${k} must be a positive integer, got ${v}`);
  const planOf = (b: number, t: number) => planMemory(config, b, t, o);
  const plan = planOf(B, T);
  const p = findProblem(config, B, T, o, limits, plan.buffers);
  if (!p) return plan;
  const fits = (b: number, t: number) => findProblem(config, b, t, o, limits, planOf(b, t).buffers) === null;
  const bMax = p.shape ? largest(B, (b) => fits(b, T)) : 0;
  const tMax = p.shape ? largest(T, (t) => fits(B, t)) : 0;
  const fmt = (n: number) => (p.unit === 'bytes' ? formatBytes(n) : String(n));
  let advice: string;
  if (!p.shape)
    advice =
      'no batch or length fits; make the model smaller (nEmbd, nLayer, nHead, vocabSize) or use a device with higher limits';
  else if (bMax > 0)
    advice = `the largest batch that fits at seqLen ${T} is ${bMax}${tMax > 0 ? `, or the longest seqLen at batch ${B} is ${tMax}` : ''}`;
  else if (tMax > 0) advice = `no batch fits at seqLen ${T}; the longest seqLen at batch ${B} is ${tMax}`;
  else {
    const t1 = largest(T, (t) => fits(1, t));
    advice =
      t1 > 0
        ? `no batch fits at seqLen ${T}; the longest seqLen at batch 1 is ${t1}`
        : 'nothing fits even at batch 1 and seqLen 1';
  }
  throw new ResourceLimitError(
    `${p.what} needs ${fmt(p.needed)} but ${p.limit} is ${fmt(p.allowed)}; ${advice}`,
    p.limit,
    p.needed,
    p.allowed,
    bMax,
    tMax,
  );
}

/** The model's arenas alone (GptModel's constructor): independent of batch and length. */
export function checkParamsFit(config: ModelConfig, limits: DeviceLimits): void {
  const params = planParams(config);
  const p = findProblem(config, 1, 1, { training: false }, limits, params);
  if (p && !p.shape)
    throw new ResourceLimitError(
      `${p.what} needs ${p.unit === 'bytes' ? formatBytes(p.needed) : p.needed} but ${p.limit} is ${p.unit === 'bytes' ? formatBytes(p.allowed) : p.allowed}; make the model smaller (nEmbd, nLayer, vocabSize) or use a device with higher limits`,
      p.limit,
      p.needed,
      p.allowed,
      0,
      0,
    );
}
