// Memory-bounded (fused) attention of the normalised family for EVALUATION at long
// lengths: forward only, no [B,H,L,L] buffer anywhere and no scratch at all (each
// call allocates one 48-byte uniform). q and k arrive after RoPE. Three kernels
// share shaders/attention_common.wgsl (phi, ALiBi slopes: the prelude of every attention
// kernel) and shaders/attention_fused_common.wgsl (logit, the re-weighting passes):
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
// params.window > 0 (windowed evaluation): row i sees keys max(0, i + 1 - window)..i,
// and counts min(i + 1, window) keys wherever a term counts them (see the fused prelude).
// Threading: one thread per query row (the map: per row bucket) walking keys in
// order with no barriers: deterministic, and fast on a software adapter. For heads
// up to FUSED_TILE_MAXHD wide the forward and diagnostics run register-tiled
// (shaders/attention_fused_tile.wgsl: a thread owns 4 rows, each key loaded once for
// them), with the one-row kernels' bits; the one-row kernels serve wider heads and
// incremental sampling's single query row.
// The forward also serves incremental sampling (src/sample/incremental.ts): its
// `cache` puts the L query rows at absolute positions qOff.. over a key/value
// cache of `rows` rows per head; without it (evaluation) qOff = 0 and rows = L,
// the same rows, keys and arithmetic as before the option existed.
import fusedCommonCode from '../../shaders/attention_fused_common.wgsl?raw';
import diagCode from '../../shaders/attention_fused_diagnostics.wgsl?raw';
import diagTiledCode from '../../shaders/attention_fused_diagnostics_tiled.wgsl?raw';
import fwdCode from '../../shaders/attention_fused_forward.wgsl?raw';
import fwdTiledCode from '../../shaders/attention_fused_forward_tiled.wgsl?raw';
import mapCode from '../../shaders/attention_fused_map.wgsl?raw';
import tileCode from '../../shaders/attention_fused_tile.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';
import { type ProbsParams, withAttentionPrelude } from './attention';
import { formConstants, KERNEL_ROW_NORMALISED, MAXHD } from './attention_constants';

/** Largest map grid (the map kernel's private row of cells). */
export const FUSED_MAP_MAX_R = 128;
/** The four per-row statistics of attention_fused_diagnostics, in order. */
export const FUSED_DIAGNOSTICS = ['entropy', 'sink', 'local', 'distance'] as const;

/** Widest head of the register-tiled forward and diagnostics (TILE_MAXHD in attention_fused_tile.wgsl). */
export const FUSED_TILE_MAXHD = 16;
const WG = 64; // threads per workgroup (forward, diagnostics)
const TILE_ROWS = 4; // query rows per thread of the tiled kernels
const MAP_WG = 4; // row buckets per workgroup (map)

/** Params of attention_fused_common.wgsl (declared there, bound by each kernel). */
const PARAMS = uniformLayout([
  ['L', 'u32'],
  ['H', 'u32'],
  ['bh', 'u32'],
  ['R', 'u32'],
  ['invSqrtHd', 'f32'],
  ['lnHd', 'f32'],
  ['lnTrain', 'f32'],
  ['p', 'f32'],
  ['win', 'u32'],
  ['qOff', 'u32'],
  ['kL', 'u32'],
  ['_p2', 'u32'],
]);
const fused = (code: string) => withAttentionPrelude(`${fusedCommonCode}\n${code}`);
const FWD = {
  label: 'attention_fused_forward',
  code: fused(fwdCode),
  access: ['read', 'read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: PARAMS },
};
const DIAG = {
  label: 'attention_fused_diagnostics',
  code: fused(diagCode),
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: PARAMS },
};
const tiled = (code: string) => fused(`${tileCode}\n${code}`);
const FWD_TILED = { ...FWD, label: 'attention_fused_forward_tiled', code: tiled(fwdTiledCode) };
const DIAG_TILED = { ...DIAG, label: 'attention_fused_diagnostics_tiled', code: tiled(diagTiledCode) };
const MAP = {
  label: 'attention_fused_map',
  code: fused(mapCode),
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: { Params: PARAMS },
};
export const KERNELS: readonly KernelSpec[] = [FWD, DIAG, FWD_TILED, DIAG_TILED, MAP];

/** Sizes and weights shared by the fused kernels: [B, H, L, hd] tensors. */
export interface FusedShape {
  B: number;
  H: number;
  L: number;
  hd: number;
  params: ProbsParams;
  /** Re-weighting exponent; null: off. */
  reweightP: number | null;
  /**
   * Forward and diagnostics: 'row' forces the one-row kernels, 'tile' the register-tiled
   * ones (same bits; tests compare them). Default: tiled when hd <= FUSED_TILE_MAXHD and
   * there is no cache (incremental sampling runs one query row: the one-row kernel).
   */
  kernel?: 'row' | 'tile';
}

export interface FusedForwardArgs extends FusedShape {
  /** [B,H,L,hd], written. */
  out: BindingLike;
  /** [B,H,L,hd]; after RoPE. */
  q: BindingLike;
  /** [B,H,L,hd] each (a cache: [B,H,cache.rows,hd]); k after RoPE. */
  k: BindingLike;
  v: BindingLike;
  /**
   * Incremental sampling: the L query rows sit at absolute positions cache.qOff.. and
   * read keys and values 0..qOff + L - 1 from a cache of `rows` rows per head.
   * Absent: qOff 0, rows L (evaluation).
   */
  cache?: { qOff: number; rows: number };
}

export interface FusedDiagnosticsArgs extends FusedShape {
  /** [B,H,L,4], written (FUSED_DIAGNOSTICS per row). */
  diag: BindingLike;
  q: BindingLike;
  k: BindingLike;
}

export interface FusedMapArgs extends FusedShape {
  /** [R,R], written. */
  map: BindingLike;
  q: BindingLike;
  k: BindingLike;
  /** The head: batch row b, head h. */
  b: number;
  h: number;
  /** Grid of the map, 1..FUSED_MAP_MAX_R. */
  R: number;
}

function check(name: string, { B, H, L, hd, params, reweightP }: FusedShape): void {
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
  const w = params.window ?? 0;
  if (!Number.isInteger(w) || w < 0) throw new Error(`${name}: window must be a non-negative integer, got ${w}`);
  if (reweightP !== null) {
    if (!KERNEL_ROW_NORMALISED.includes(params.mechanism))
      throw new Error(`${name}: re-weighting applies to ${KERNEL_ROW_NORMALISED.join(', ')}, not ${params.mechanism}`);
    if (!(reweightP >= 1) || !Number.isFinite(reweightP))
      throw new Error(`${name}: re-weighting p must be a finite number >= 1, got ${reweightP}`);
  }
}

function spec<S extends typeof FWD | typeof DIAG | typeof MAP>(s: S, { params, hd, reweightP }: FusedShape) {
  const constants = {
    ...formConstants(params.mechanism),
    ALIBI: params.alibi ? 1 : 0,
    RW: reweightP === null ? 0 : 1,
    HD: hd,
  };
  const flags = `${params.alibi ? '+alibi' : ''}${reweightP === null ? '' : '+rw'}${params.window ? '+win' : ''}`;
  const tag = `${params.mechanism}${flags}`;
  return { ...s, label: `${s.label}:${tag}`, constants };
}

/** The Params of a fused kernel (the forward's incremental form: `cache`). */
export function fusedParamsData(a: FusedShape, bh = 0, R = 0, cache?: FusedForwardArgs['cache']): ArrayBuffer {
  const { H, L, hd, params, reweightP } = a;
  return packUniform(PARAMS, {
    L,
    H,
    bh,
    R,
    invSqrtHd: 1 / Math.sqrt(hd),
    lnHd: Math.log(hd),
    lnTrain: Math.log(Math.max(params.trainLength, 1)),
    p: reweightP ?? 1,
    win: params.window ?? 0,
    qOff: cache?.qOff ?? 0,
    kL: cache?.rows ?? L,
  });
}

function uniform(p: Program, label: string, a: FusedShape, bh = 0, R = 0, cache?: FusedForwardArgs['cache']) {
  return p.uniform(`${label} params`, fusedParamsData(a, bh, R, cache));
}

/** Whether the tiled kernel runs (fallback: the one-row kernel, any hd up to MAXHD). */
function tileFor({ kernel, hd }: FusedShape, byDefault: boolean): boolean {
  if (kernel === 'tile' && hd > FUSED_TILE_MAXHD)
    throw new Error(`attention_fused: the tiled kernels take hd <= ${FUSED_TILE_MAXHD}, got ${hd}`);
  return kernel === undefined ? byDefault && hd <= FUSED_TILE_MAXHD : kernel === 'tile';
}

/** Workgroups along x: one thread per row, or per TILE_ROWS rows. */
const rowGroups = (L: number, tile: boolean) => ceilDiv(tile ? ceilDiv(L, TILE_ROWS) : L, WG);

function checkCache(a: FusedForwardArgs): void {
  if (!a.cache) return;
  const { qOff, rows } = a.cache;
  if (!Number.isInteger(qOff) || qOff < 0 || !Number.isInteger(rows) || qOff + a.L > rows)
    throw new Error(`${FWD.label}: query rows ${qOff}..${qOff + a.L - 1} outside a cache of ${rows} rows`);
  if (a.B * a.H * rows * a.hd >= 2 ** 32) throw new Error(`${FWD.label}: the cache overflows u32 indexing`);
}

/**
 * out [B,H,L,hd] = attention of q, k (after RoPE), v [B,H,L,hd] (written); reweightP: null = off.
 * Returns its uniform, which an incremental caller rewrites (fusedParamsData) to move the query row.
 */
export function attention_fused_forward(p: Program, a: FusedForwardArgs): GPUBuffer {
  check(FWD.label, a);
  checkCache(a);
  const u = uniform(p, FWD.label, a, 0, 0, a.cache);
  const t = tileFor(a, !a.cache);
  p.add(spec(t ? FWD_TILED : FWD, a), [a.q, a.k, a.v, a.out, u], [rowGroups(a.L, t), a.B * a.H]);
  return u;
}

/** diag [B,H,L,4] (written): per row entropy, sink mass, local focus, mean distance (FUSED_DIAGNOSTICS). */
export function attention_fused_diagnostics(p: Program, a: FusedDiagnosticsArgs): void {
  check(DIAG.label, a);
  const t = tileFor(a, true);
  p.add(spec(t ? DIAG_TILED : DIAG, a), [a.q, a.k, a.diag, uniform(p, DIAG.label, a)], [rowGroups(a.L, t), a.B * a.H]);
}

/** map [R,R] (written): head (b, h)'s weights averaged over R x R cells (see attention_fused_map.wgsl). */
export function attention_fused_map(p: Program, a: FusedMapArgs): void {
  const { b, h, B, H, L, R } = a;
  check(MAP.label, a);
  if (!Number.isInteger(R) || R < 1 || R > FUSED_MAP_MAX_R)
    throw new Error(`${MAP.label}: grid R=${R} outside 1..${FUSED_MAP_MAX_R}`);
  if (!Number.isInteger(b) || b < 0 || b >= B || !Number.isInteger(h) || h < 0 || h >= H)
    throw new Error(`${MAP.label}: head (b=${b}, h=${h}) outside B=${B}, H=${H}`);
  if (R * L >= 2 ** 32) throw new Error(`${MAP.label}: R*L overflows u32 bucket arithmetic`);
  const u = uniform(p, MAP.label, a, b * H + h, R);
  p.add(spec(MAP, a), [a.q, a.k, a.map, u], [ceilDiv(R, MAP_WG)]);
}
