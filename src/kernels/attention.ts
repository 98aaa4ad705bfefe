// The normalised attention family on the GPU: A = probs(q, k), out = A . v,
// split so a re-weighting pass can sit between A and v.
//
// Choices beyond the papers (docs/papers.md), as docs/mechanisms.md lists them:
// - Positions: i and j are 0-based in memory; the 1-based query position of the
//   spec is i + 1 (lssa's c_i = ln(hd) ln(i + 1), relu's divisor i + 1).
// - ALiBi: head h0 (0-based) of H has slope 2^(-8 (h0 + 1) / H); the bias
//   -slope * (i - j) is added to c_i * s_ij before phi, for every mechanism.
// - lssa: q^ = q / sqrt(|q|^2 + 1e-6) (eps inside the norm, so a zero vector has a
//   finite gradient); the backward goes through the normalisation.
// - softplus(x) = max(x, 0) + log1p(exp(-|x|)), log1p evaluated as u - u^2/2 for
//   u < 1e-4, so phi > 0 even for very negative logits (a row never sums to 0).
// - sigmoid: sigmoid(x - ln(trainLength)), stable form; relu: max(x, 0) / (i + 1).
//   Neither is normalised; their rows need not sum to 1.
// - taylor: the quadratic form 1 + x + x^2/2 with x = q.k / sqrt(hd) + bias.
// - softplus, lssacap, lssmax take lssa apart (KERNEL_FORM in ./attention_constants):
//   softplus on q.k / sqrt(hd); lssa with c_i = ln(hd) ln(min(i + 1, T)); exp on lssa's logit.
// - softmax subtracts the row max before exp.
// - rowstat [B,H,T]: softmax: logsumexp of the row's logits; lssa, taylor: the l1
//   normaliser sum_j phi; sigmoid, relu: the row sum of att (diagnostic, unused).
// - att above the diagonal is written as exact zeros, and so is datt (values backward).
// - hd <= MAXHD = 256 (the documented range); B*H <= 65535 (the probs kernels' grid y).
// - Every shader is compiled after shaders/attention_common.wgsl (MECH, ALIBI, HD,
//   EPS, MAXHD, alibi_slope, phi); the TypeScript twins are in ./attention_constants.
// - Every kernel is one thread per row (the probabilities forward: per 4 rows; the mix
//   and datt: per 8 rows and 8 outputs) walking its rows in order with no barriers:
//   fixed-order sums, and fast on a software adapter.
// - The probabilities backward needs a [B,H,T,T] scratch (dL/d(q_i . k_j)); pass one
//   as `ds` to share it between layers, else the Program owns one.

import commonCode from '../../shaders/attention_common.wgsl?raw';
import probsBwdCode from '../../shaders/attention_probs_backward.wgsl?raw';
import probsFwdCode from '../../shaders/attention_probs_forward.wgsl?raw';
import dattCode from '../../shaders/attention_values_backward.wgsl?raw';
import mixCode from '../../shaders/attention_values_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';
import {
  type AttentionShape,
  formConstants,
  KERNEL_FORM,
  MAXHD,
  type NormalisedMechanism,
} from './attention_constants';

export {
  type AttentionShape,
  NORMALISED_MECHANISMS,
  type NormalisedMechanism,
} from './attention_constants';

export interface ProbsParams {
  mechanism: NormalisedMechanism;
  alibi: boolean;
  /** T of training, used by sigmoid and lssacap. */
  trainLength: number;
  /**
   * Windowed evaluation: each query sees only its last `window` keys, and the terms
   * that count a row's keys count those (0 or absent: every key). The fused
   * evaluation kernels and the float64 reference honour it; training kernels refuse it.
   */
  window?: number;
}

const WG = 64; // threads per workgroup in every attention shader
/** Output rows per thread of the mix (ROWS in shaders/attention_values_forward.wgsl). */
export const MIX_ROWS = 8;
/** Query rows per thread of the probabilities forward (ROWS in shaders/attention_probs_forward.wgsl). */
export const PROBS_ROWS = 4;
/** Rows and columns of a values-backward tile (ROWS in shaders/attention_values_backward.wgsl). */
export const DATT_TILE = 8;

/** Every attention kernel is compiled after the shared prelude. */
export const withAttentionPrelude = (code: string): string => `${commonCode}\n${code}`;

/** The probabilities kernels' uniform (the backward's; exported for the forward's test fixture). */
export const PROBS_PARAMS = uniformLayout([
  ['T', 'u32'],
  ['hd', 'u32'],
  ['H', 'u32'],
  ['_pad', 'u32'],
  ['invSqrtHd', 'f32'],
  ['lnHd', 'f32'],
  ['lnTrain', 'f32'],
  ['_pad2', 'f32'],
]);
/** The forward's uniform: PROBS_PARAMS with its padding carrying the 1-D grid (exported for its test). */
export const PROBS_FWD_PARAMS = uniformLayout([
  ['T', 'u32'],
  ['hd', 'u32'],
  ['H', 'u32'],
  ['gridX', 'u32'],
  ['invSqrtHd', 'f32'],
  ['lnHd', 'f32'],
  ['lnTrain', 'f32'],
  ['total', 'u32'],
]);
const PROBS_FWD = {
  label: 'attention_probs_forward',
  code: withAttentionPrelude(probsFwdCode),
  access: ['read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms: { Params: PROBS_FWD_PARAMS },
};
const PROBS_BWD = {
  label: 'attention_probs_backward',
  code: withAttentionPrelude(probsBwdCode),
  access: ['read', 'read', 'read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: PROBS_PARAMS },
};
/** The mix's uniform (exported for the test that holds it to its one-row predecessor). */
export const MIX_PARAMS = uniformLayout([
  ['T', 'u32'],
  ['hd', 'u32'],
  ['trans', 'u32'],
  ['project', 'u32'],
  ['tpr', 'u32'],
  ['gridX', 'u32'],
  ['total', 'u32'],
  ['H', 'u32'],
  ['xMerged', 'u32'],
  ['outMerged', 'u32'],
  ['_p0', 'u32'],
  ['_p1', 'u32'],
]);
const MIX = {
  label: 'attention_mix',
  code: withAttentionPrelude(mixCode),
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: MIX_PARAMS },
};
/** The values backward's datt kernel (exported, with its uniform, for its test). */
export const DATT = {
  label: 'attention_values_backward',
  code: withAttentionPrelude(dattCode),
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['T', 'u32'],
      ['hd', 'u32'],
      ['tiles', 'u32'],
      ['gridX', 'u32'],
      ['total', 'u32'],
      ['H', 'u32'],
      ['doutMerged', 'u32'],
      ['_p2', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [PROBS_FWD, PROBS_BWD, MIX, DATT];

function check(name: string, { B, H, T, hd }: AttentionShape, params?: ProbsParams): void {
  if (params?.window) throw new Error(`${name}: windowed attention is evaluation-only (the fused kernels)`);
  if (hd < 1 || hd > MAXHD) throw new Error(`${name}: head width ${hd} outside 1..${MAXHD}`);
  if (B * H > 65535) throw new Error(`${name}: B*H=${B * H} exceeds 65535 workgroups`);
  if (B * H * T * T >= 2 ** 32) throw new Error(`${name}: B*H*T*T=${B * H * T * T} overflows u32 indexing`);
}

function probsSpec<S extends typeof PROBS_FWD | typeof PROBS_BWD>(spec: S, params: ProbsParams, hd: number) {
  const constants = { ...formConstants(params.mechanism), ALIBI: params.alibi ? 1 : 0, HD: hd };
  return { ...spec, label: `${spec.label}:${params.mechanism}${params.alibi ? '+alibi' : ''}`, constants };
}

/** The probabilities kernels' uniform; `grid`: the forward's (gridX, total) in PROBS_FWD_PARAMS. */
function probsUniform(
  p: Program,
  { H, T, hd }: AttentionShape,
  params: ProbsParams,
  grid?: { gridX: number; total: number },
): GPUBuffer {
  if (params.mechanism === 'sigmoid' && !(params.trainLength > 0))
    throw new Error('sigmoid attention needs trainLength > 0');
  const values = {
    T,
    hd,
    H,
    invSqrtHd: 1 / Math.sqrt(hd),
    lnHd: Math.log(hd),
    lnTrain: Math.log(Math.max(params.trainLength, 1)),
  };
  const data = grid ? packUniform(PROBS_FWD_PARAMS, { ...values, ...grid }) : packUniform(PROBS_PARAMS, values);
  return p.uniform('attention probs params', data);
}

/** Workgroups for `threads` 1-D threads of WG, spread over x and y. */
export function grid(threads: number): [number, number] {
  const groups = Math.max(1, ceilDiv(threads, WG));
  const gx = Math.min(groups, 65535);
  return [gx, ceilDiv(groups, gx)];
}

/** Which of a mix's x and out are in the merged-heads layout [B,T,H*hd] (else [B,H,T,hd]). */
export interface MixLayout {
  H: number;
  xMerged?: boolean;
  outMerged?: boolean;
}

/** Causal row mix (attention_values_forward.wgsl); see its header. `y`: lssa's projection (project = 1). */
export function attention_mix(
  p: Program,
  out: BindingLike,
  w: BindingLike,
  x: BindingLike,
  y: BindingLike | null,
  BH: number,
  T: number,
  hd: number,
  trans: boolean,
  layout: MixLayout,
): void {
  if (y && layout.outMerged) throw new Error('attention mix: the projection reads out in the heads layout');
  // Threads per tile of MIX_ROWS rows, 8 channels each; the projection needs whole rows in one thread.
  const tpr = y ? 1 : ceilDiv(hd, 8);
  const total = BH * ceilDiv(T, MIX_ROWS) * tpr;
  const [gx, gy] = grid(total);
  const flags = { H: layout.H, xMerged: layout.xMerged ? 1 : 0, outMerged: layout.outMerged ? 1 : 0 };
  const u = p.uniform(
    'attention mix sizes',
    packUniform(MIX_PARAMS, {
      T,
      hd,
      trans: trans ? 1 : 0,
      project: y ? 1 : 0,
      tpr,
      gridX: gx,
      total,
      ...flags,
    }),
  );
  p.add({ ...MIX, constants: { HD: hd } }, [w, x, y ?? x, out, u], [gx, gy]);
}

export interface ProbsForwardArgs extends AttentionShape {
  /** [B,H,T,T], written (zero above the diagonal). */
  att: BindingLike;
  /** [B,H,T], written (see the block above). */
  rowstat: BindingLike;
  /** [B,H,T,hd] each, after RoPE. */
  q: BindingLike;
  k: BindingLike;
  params: ProbsParams;
}

export interface ProbsBackwardArgs extends AttentionShape {
  /** [B,H,T,hd] each, written. */
  dq: BindingLike;
  dk: BindingLike;
  /** [B,H,T,T]: the gradient of att, and the forward's att, rowstat, q and k. */
  datt: BindingLike;
  att: BindingLike;
  rowstat: BindingLike;
  q: BindingLike;
  k: BindingLike;
  params: ProbsParams;
  /** A [B,H,T,T] scratch to share between layers; else the Program owns one. */
  ds?: BindingLike;
}

export interface ValuesForwardArgs extends AttentionShape {
  /** [B,H,T,hd], written; [B,T,H*hd] (the heads merged, no heads_merge pass) with `outMerged`. */
  out: BindingLike;
  outMerged?: boolean;
  /** [B,H,T,T] and [B,H,T,hd]. */
  att: BindingLike;
  v: BindingLike;
}

export interface ValuesBackwardArgs extends AttentionShape {
  /** [B,H,T,T], written (zero above the diagonal). */
  datt: BindingLike;
  /** [B,H,T,hd], written. */
  dv: BindingLike;
  /** [B,H,T,hd]: the gradient of out ([B,T,H*hd] with `doutMerged`), and the forward's att and v. */
  dout: BindingLike;
  doutMerged?: boolean;
  att: BindingLike;
  v: BindingLike;
}

/** att [B,H,T,T] = probs(q, k), zero above the diagonal; rowstat [B,H,T] (see the block above). q, k after RoPE. */
export function attention_probs_forward(p: Program, a: ProbsForwardArgs): void {
  check('attention_probs_forward', a, a.params);
  const spec = probsSpec(PROBS_FWD, a.params, a.hd);
  const total = a.B * a.H * ceilDiv(a.T, PROBS_ROWS); // one thread per PROBS_ROWS query rows
  const [gx, gy] = grid(total);
  p.add(spec, [a.q, a.k, a.att, a.rowstat, probsUniform(p, a, a.params, { gridX: gx, total })], [gx, gy]);
}

/** dq, dk [B,H,T,hd] written. `ds` (optional): a [B,H,T,T] scratch, else one owned by `p`. */
export function attention_probs_backward(p: Program, a: ProbsBackwardArgs): void {
  const { dq, dk, q, k, B, H, T, hd } = a;
  check('attention_probs_backward', a, a.params);
  const scratch = a.ds ?? p.scratch('attention ds', B * H * T * T);
  const spec = probsSpec(PROBS_BWD, a.params, hd);
  p.add(spec, [a.datt, a.att, a.rowstat, q, k, scratch, probsUniform(p, a, a.params)], [ceilDiv(T, WG), B * H]);
  const norm = KERNEL_FORM[a.params.mechanism].qkNorm;
  attention_mix(p, dq, scratch, k, norm ? q : null, B * H, T, hd, false, { H });
  attention_mix(p, dk, scratch, q, norm ? k : null, B * H, T, hd, true, { H });
}

/** out [B,H,T,hd] (or merged [B,T,H*hd]) = att . v. */
export function attention_values_forward(p: Program, a: ValuesForwardArgs): void {
  check('attention_values_forward', a);
  attention_mix(p, a.out, a.att, a.v, null, a.B * a.H, a.T, a.hd, false, { H: a.H, outMerged: a.outMerged });
}

/** datt [B,H,T,T] written (zero above the diagonal), dv [B,H,T,hd] written. */
export function attention_values_backward(p: Program, a: ValuesBackwardArgs): void {
  const { B, H, T, hd } = a;
  check('attention_values_backward', a);
  const tiles = ceilDiv(T, DATT_TILE); // DATT_TILE x DATT_TILE tiles of datt, tiles^2 per head
  const total = B * H * tiles * tiles;
  const [gx, gy] = grid(total);
  const doutMerged = a.doutMerged ? 1 : 0;
  const u = p.uniform(
    'attention datt sizes',
    packUniform(DATT.uniforms.Params, { T, hd, tiles, gridX: gx, total, H, doutMerged }),
  );
  p.add(DATT, [a.dout, a.v, a.datt, u], [gx, gy]);
  attention_mix(p, a.dv, a.att, a.dout, null, B * H, T, hd, true, { H, xMerged: a.doutMerged });
}
