// The normalised attention family on the GPU: A = probs(q, k), out = A . v,
// split so a re-weighting pass can sit between A and v.
//
// Choices beyond /work/shared/spec/attention.md (to copy into docs/mechanisms.md):
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
// - softmax subtracts the row max before exp.
// - rowstat [B,H,T]: softmax: logsumexp of the row's logits; lssa, taylor: the l1
//   normaliser sum_j phi; sigmoid, relu: the row sum of att (diagnostic, unused).
// - att above the diagonal is written as exact zeros, and so is datt (values backward).
// - hd <= 256 (the documented range); B*H <= 65535 (the probs kernels' grid y).
// - Every kernel is one thread per row (or per row and 4 outputs) walking its row
//   in order with no barriers: fixed-order sums, and fast on a software adapter.
// - The probabilities backward needs a [B,H,T,T] scratch (dL/d(q_i . k_j)); pass one
//   as the trailing `ds` argument to share it between layers, else the Program owns one.

import probsBwdCode from '../../shaders/attention_probs_backward.wgsl?raw';
import probsFwdCode from '../../shaders/attention_probs_forward.wgsl?raw';
import dattCode from '../../shaders/attention_values_backward.wgsl?raw';
import mixCode from '../../shaders/attention_values_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type Program, packUniform } from '../gpu/program';

export type NormalisedMechanism = 'softmax' | 'lssa' | 'taylor' | 'sigmoid' | 'relu';
export interface ProbsParams {
  mechanism: NormalisedMechanism;
  alibi: boolean;
  /** T of training, used by sigmoid. */
  trainLength: number;
}

export const NORMALISED_MECHANISMS: readonly NormalisedMechanism[] = ['softmax', 'lssa', 'taylor', 'sigmoid', 'relu'];
const MECH_ID: Record<NormalisedMechanism, number> = { softmax: 0, lssa: 1, taylor: 2, sigmoid: 3, relu: 4 };
const MAXHD = 256;
const WG = 64; // threads per workgroup in every attention shader

const MIX = { label: 'attention_mix', code: mixCode, access: ['read', 'read', 'read', 'write', 'uniform'] as const };
const DATT = {
  label: 'attention_values_backward',
  code: dattCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
};

function check(name: string, B: number, H: number, T: number, hd: number): void {
  if (hd < 1 || hd > MAXHD) throw new Error(`${name}: head width ${hd} outside 1..${MAXHD}`);
  if (B * H > 65535) throw new Error(`${name}: B*H=${B * H} exceeds 65535 workgroups`);
  if (B * H * T * T >= 2 ** 32) throw new Error(`${name}: B*H*T*T=${B * H * T * T} overflows u32 indexing`);
}

function probsSpec(
  label: string,
  code: string,
  access: readonly ('read' | 'write' | 'uniform')[],
  params: ProbsParams,
  hd: number,
) {
  const constants = { MECH: MECH_ID[params.mechanism], ALIBI: params.alibi ? 1 : 0, HD: hd };
  return { label: `${label}:${params.mechanism}${params.alibi ? '+alibi' : ''}`, code, access, constants };
}

function probsUniform(p: Program, H: number, T: number, hd: number, params: ProbsParams): GPUBuffer {
  if (params.mechanism === 'sigmoid' && !(params.trainLength > 0))
    throw new Error('sigmoid attention needs trainLength > 0');
  return p.uniform(
    'attention probs params',
    packUniform([
      ['u32', T],
      ['u32', hd],
      ['u32', H],
      ['u32', 0],
      ['f32', 1 / Math.sqrt(hd)],
      ['f32', Math.log(hd)],
      ['f32', Math.log(Math.max(params.trainLength, 1))],
      ['f32', 0],
    ]),
  );
}

/** Workgroups for `threads` 1-D threads of WG, spread over x and y. */
function grid(threads: number): [number, number] {
  const groups = Math.max(1, ceilDiv(threads, WG));
  const gx = Math.min(groups, 65535);
  return [gx, ceilDiv(groups, gx)];
}

/** Causal row mix (attention_values_forward.wgsl); see its header. */
function mix(
  p: Program,
  out: BindingLike,
  w: BindingLike,
  x: BindingLike,
  y: BindingLike | null,
  BH: number,
  T: number,
  hd: number,
  trans: boolean,
): void {
  const tpr = y ? 1 : ceilDiv(hd, 4); // threads per row: the projection needs the whole row in one thread
  const total = BH * T * tpr;
  const [gx, gy] = grid(total);
  const u = p.uniform(
    'attention mix sizes',
    packUniform([
      ['u32', T],
      ['u32', hd],
      ['u32', trans ? 1 : 0],
      ['u32', y ? 1 : 0],
      ['u32', tpr],
      ['u32', gx],
      ['u32', total],
      ['u32', 0],
    ]),
  );
  p.add({ ...MIX, constants: { HD: hd } }, [w, x, y ?? x, out, u], [gx, gy]);
}

/** att [B,H,T,T] = probs(q, k), zero above the diagonal; rowstat [B,H,T] (see the block above). q, k after RoPE. */
export function attention_probs_forward(
  p: Program,
  att: BindingLike,
  rowstat: BindingLike,
  q: BindingLike,
  k: BindingLike,
  B: number,
  H: number,
  T: number,
  hd: number,
  params: ProbsParams,
): void {
  check('attention_probs_forward', B, H, T, hd);
  const spec = probsSpec(
    'attention_probs_forward',
    probsFwdCode,
    ['read', 'read', 'write', 'write', 'uniform'],
    params,
    hd,
  );
  p.add(spec, [q, k, att, rowstat, probsUniform(p, H, T, hd, params)], [ceilDiv(T, WG), B * H]);
}

/** dq, dk [B,H,T,hd] written. `ds` (optional): a [B,H,T,T] scratch, else one owned by `p`. */
export function attention_probs_backward(
  p: Program,
  dq: BindingLike,
  dk: BindingLike,
  datt: BindingLike,
  att: BindingLike,
  rowstat: BindingLike,
  q: BindingLike,
  k: BindingLike,
  B: number,
  H: number,
  T: number,
  hd: number,
  params: ProbsParams,
  ds?: BindingLike,
): void {
  check('attention_probs_backward', B, H, T, hd);
  const scratch = ds ?? p.scratch('attention ds', B * H * T * T);
  const spec = probsSpec(
    'attention_probs_backward',
    probsBwdCode,
    ['read', 'read', 'read', 'read', 'read', 'write', 'uniform'],
    params,
    hd,
  );
  p.add(spec, [datt, att, rowstat, q, k, scratch, probsUniform(p, H, T, hd, params)], [ceilDiv(T, WG), B * H]);
  const lssa = params.mechanism === 'lssa';
  mix(p, dq, scratch, k, lssa ? q : null, B * H, T, hd, false);
  mix(p, dk, scratch, q, lssa ? k : null, B * H, T, hd, true);
}

/** out [B,H,T,hd] = att . v. */
export function attention_values_forward(
  p: Program,
  out: BindingLike,
  att: BindingLike,
  v: BindingLike,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  check('attention_values_forward', B, H, T, hd);
  mix(p, out, att, v, null, B * H, T, hd, false);
}

/** datt [B,H,T,T] written (zero above the diagonal), dv [B,H,T,hd] written. */
export function attention_values_backward(
  p: Program,
  datt: BindingLike,
  dv: BindingLike,
  dout: BindingLike,
  att: BindingLike,
  v: BindingLike,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  check('attention_values_backward', B, H, T, hd);
  const jb = ceilDiv(T, 4); // 4-column blocks per row
  const total = B * H * T * jb;
  const [gx, gy] = grid(total);
  const u = p.uniform(
    'attention datt sizes',
    packUniform([
      ['u32', T],
      ['u32', hd],
      ['u32', jb],
      ['u32', gx],
      ['u32', total],
    ]),
  );
  p.add(DATT, [dout, v, datt, u], [gx, gy]);
  mix(p, dv, att, dout, null, B * H, T, hd, true);
}
