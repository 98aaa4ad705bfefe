// Memory-bounded (fused) attention of the normalised family for EVALUATION at long
// lengths: forward only, no [B,H,L,L] buffer anywhere and no scratch at all (each
// call allocates one 32-byte uniform). q and k arrive after RoPE. Three kernels
// share shaders/attention_fused_common.wgsl (logit, phi, the re-weighting passes):
//   attention_fused_forward     out [B,H,L,hd]   (= probs -> reweight? -> values, unfused)
//   attention_fused_diagnostics diag [B,H,L,4]   entropy, sink mass, local focus, mean distance
//   attention_fused_map         map [R,R]        one head's attention, averaged over R x R cells
// Numeric conventions are those of src/kernels/attention.ts (positions, ALiBi slopes,
// lssa's eps, softplus, sigmoid's ln(trainLength), relu's 1/(i+1)) and of
// src/kernels/reweight.ts (o_i, r / max r before pow, a row with all r = 0 keeps A).
// Differences from the unfused chain are rounding only: softmax's normaliser is an
// online (rescaled) sum, and outputs divide sum u v by sum u once instead of
// normalising each weight.
// Diagnostics and map of sigmoid / relu are taken on the raw (unnormalised) weights.
// Threading: one thread per query row (the map: per row bucket) walking keys in
// order with no barriers: deterministic, and fast on a software adapter.
import commonCode from '../../shaders/attention_fused_common.wgsl?raw';
import diagCode from '../../shaders/attention_fused_diagnostics.wgsl?raw';
import fwdCode from '../../shaders/attention_fused_forward.wgsl?raw';
import mapCode from '../../shaders/attention_fused_map.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type Program, packUniform } from '../gpu/program';
import type { NormalisedMechanism, ProbsParams } from './attention';

/** Largest map grid (the map kernel's private row of cells). */
export const FUSED_MAP_MAX_R = 128;
/** The four per-row statistics of attention_fused_diagnostics, in order. */
export const FUSED_DIAGNOSTICS = ['entropy', 'sink', 'local', 'distance'] as const;

const MECH_ID: Record<NormalisedMechanism, number> = { softmax: 0, lssa: 1, taylor: 2, sigmoid: 3, relu: 4 };
const ROW_NORMALISED: readonly NormalisedMechanism[] = ['softmax', 'lssa', 'taylor'];
const MAXHD = 256;
const WG = 64; // rows per workgroup (forward, diagnostics)
const MAP_WG = 4; // row buckets per workgroup (map)

const FWD = {
  label: 'attention_fused_forward',
  code: `${commonCode}\n${fwdCode}`,
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
};
const DIAG = {
  label: 'attention_fused_diagnostics',
  code: `${commonCode}\n${diagCode}`,
  access: ['read', 'read', 'write', 'uniform'] as const,
};
const MAP = {
  label: 'attention_fused_map',
  code: `${commonCode}\n${mapCode}`,
  access: ['read', 'read', 'write', 'uniform'] as const,
};

function check(
  name: string,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
): void {
  for (const [n, v] of [
    ['B', B],
    ['H', H],
    ['L', L],
    ['hd', hd],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: ${n} must be a positive integer, got ${v}`);
  if (hd > MAXHD) throw new Error(`${name}: head width ${hd} outside 1..${MAXHD}`);
  if (B * H > 65535) throw new Error(`${name}: B*H=${B * H} exceeds 65535 workgroups`);
  if (B * H * L * hd >= 2 ** 32) throw new Error(`${name}: B*H*L*hd=${B * H * L * hd} overflows u32 indexing`);
  if (params.mechanism === 'sigmoid' && !(params.trainLength > 0))
    throw new Error(`${name}: sigmoid attention needs trainLength > 0`);
  if (reweightP !== null) {
    if (!ROW_NORMALISED.includes(params.mechanism))
      throw new Error(`${name}: re-weighting applies to ${ROW_NORMALISED.join(', ')}, not ${params.mechanism}`);
    if (!(reweightP >= 1) || !Number.isFinite(reweightP))
      throw new Error(`${name}: re-weighting p must be a finite number >= 1, got ${reweightP}`);
  }
}

function spec<S extends { label: string; code: string; access: readonly ('read' | 'write' | 'uniform')[] }>(
  s: S,
  params: ProbsParams,
  hd: number,
  reweightP: number | null,
) {
  const constants = {
    MECH: MECH_ID[params.mechanism],
    ALIBI: params.alibi ? 1 : 0,
    RW: reweightP === null ? 0 : 1,
    HD: hd,
  };
  const tag = `${params.mechanism}${params.alibi ? '+alibi' : ''}${reweightP === null ? '' : '+rw'}`;
  return { ...s, label: `${s.label}:${tag}`, constants };
}

function uniform(
  p: Program,
  label: string,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
  bh = 0,
  R = 0,
): GPUBuffer {
  return p.uniform(
    `${label} params`,
    packUniform([
      ['u32', L],
      ['u32', H],
      ['u32', bh],
      ['u32', R],
      ['f32', 1 / Math.sqrt(hd)],
      ['f32', Math.log(hd)],
      ['f32', Math.log(Math.max(params.trainLength, 1))],
      ['f32', reweightP ?? 1],
    ]),
  );
}

/** out [B,H,L,hd] = attention of q, k (after RoPE), v [B,H,L,hd] (written); reweightP: null = off. */
export function attention_fused_forward(
  p: Program,
  out: BindingLike,
  q: BindingLike,
  k: BindingLike,
  v: BindingLike,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
): void {
  check(FWD.label, B, H, L, hd, params, reweightP);
  p.add(
    spec(FWD, params, hd, reweightP),
    [q, k, v, out, uniform(p, FWD.label, H, L, hd, params, reweightP)],
    [ceilDiv(L, WG), B * H],
  );
}

/** diag [B,H,L,4] (written): per row entropy, sink mass, local focus, mean distance (FUSED_DIAGNOSTICS). */
export function attention_fused_diagnostics(
  p: Program,
  diag: BindingLike,
  q: BindingLike,
  k: BindingLike,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
): void {
  check(DIAG.label, B, H, L, hd, params, reweightP);
  p.add(
    spec(DIAG, params, hd, reweightP),
    [q, k, diag, uniform(p, DIAG.label, H, L, hd, params, reweightP)],
    [ceilDiv(L, WG), B * H],
  );
}

/** map [R,R] (written): head (b, h)'s weights averaged over R x R cells (see attention_fused_map.wgsl). */
export function attention_fused_map(
  p: Program,
  map: BindingLike,
  q: BindingLike,
  k: BindingLike,
  b: number,
  h: number,
  B: number,
  H: number,
  L: number,
  hd: number,
  params: ProbsParams,
  reweightP: number | null,
  R: number,
): void {
  check(MAP.label, B, H, L, hd, params, reweightP);
  if (!Number.isInteger(R) || R < 1 || R > FUSED_MAP_MAX_R)
    throw new Error(`${MAP.label}: grid R=${R} outside 1..${FUSED_MAP_MAX_R}`);
  if (!Number.isInteger(b) || b < 0 || b >= B || !Number.isInteger(h) || h < 0 || h >= H)
    throw new Error(`${MAP.label}: head (b=${b}, h=${h}) outside B=${B}, H=${H}`);
  if (R * L >= 2 ** 32) throw new Error(`${MAP.label}: R*L overflows u32 bucket arithmetic`);
  const u = uniform(p, MAP.label, H, L, hd, params, reweightP, b * H + h, R);
  p.add(spec(MAP, params, hd, reweightP), [q, k, map, u], [ceilDiv(R, MAP_WG)]);
}
