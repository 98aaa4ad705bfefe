// shaders/kv_cache_row.wgsl for incremental sampling (src/sample/incremental.ts):
// kv_cache_append writes one position's keys and values into row `pos` of a
// [H, rows, hd] cache; kv_cache_gather reads one position's queries and keys
// back out of such buffers (the fixed-stream mechanisms). The position moves every
// step, so the caller keeps the uniform and rewrites it (kvRowParams) instead
// of recording the program again.
import code from '../../shaders/kv_cache_row.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const PARAMS = uniformLayout([
  ['n', 'u32'],
  ['hd', 'u32'],
  ['rows', 'u32'],
  ['pos', 'u32'],
]);
const ROW = { code, access: ['read', 'read', 'write', 'write', 'uniform'] as const, uniforms: { Params: PARAMS } };
const APPEND = { ...ROW, label: 'kv_cache_append', constants: { GATHER: 0, PAIRS: 2 } };
const APPEND_ONE = { ...ROW, label: 'kv_cache_append_one', constants: { GATHER: 0, PAIRS: 1 } };
const GATHER_ONE = { ...ROW, label: 'kv_cache_gather_one', constants: { GATHER: 1, PAIRS: 1 } };
const GATHER = { ...ROW, label: 'kv_cache_gather', constants: { GATHER: 1, PAIRS: 2 } };
export const KERNELS: readonly KernelSpec[] = [APPEND, GATHER, APPEND_ONE, GATHER_ONE];

export interface KvAppendArgs {
  /** [H, hd] each: the new position's keys (after RoPE) and values. */
  k: BindingLike;
  v: BindingLike;
  /** [H, rows, hd] each, row `pos` written. */
  cacheK: BindingLike;
  cacheV: BindingLike;
  H: number;
  hd: number;
  rows: number;
  pos: number;
}

/** Row `pos` of a [H, rows, hd] cache. */
export type KvRow = Pick<KvAppendArgs, 'H' | 'hd' | 'rows' | 'pos'>;

/** The uniform of kv_cache_append and kv_cache_gather at `pos`. */
export function kvRowParams(a: KvRow): ArrayBuffer {
  if (!Number.isInteger(a.pos) || a.pos < 0 || a.pos >= a.rows)
    throw new Error(`kv_cache: position ${a.pos} outside a cache of ${a.rows} rows`);
  return packUniform(PARAMS, { n: a.H * a.hd, hd: a.hd, rows: a.rows, pos: a.pos });
}

/** Records the append; returns its uniform (rewrite it with kvRowParams to move `pos`). */
export function kv_cache_append(p: Program, a: KvAppendArgs): GPUBuffer {
  const u = p.uniform('kv_cache_append params', kvRowParams(a));
  p.add(APPEND, [a.k, a.v, a.cacheK, a.cacheV, u], elementGrid(a.H * a.hd));
  return u;
}

export interface KvGatherArgs extends KvRow {
  /** [H, rows, hd] each, read. */
  cacheQ: BindingLike;
  cacheK: BindingLike;
  /** [H, hd] each, written: row `pos` of each head. */
  q: BindingLike;
  k: BindingLike;
}

/** Records the gather; returns its uniform (rewrite it with kvRowParams to move `pos`). */
export function kv_cache_gather(p: Program, a: KvGatherArgs): GPUBuffer {
  const u = p.uniform('kv_cache_gather params', kvRowParams(a));
  p.add(GATHER, [a.cacheQ, a.cacheK, a.q, a.k, u], elementGrid(a.H * a.hd));
  return u;
}

/**
 * One tensor's row, in (`gather` false: x [H, hd] into row pos of cache [H, rows, hd]) or out (true: row pos of
 * cache into x). `spare`: two other buffers, bound as the unused pair (never written: a dispatch may not bind one
 * buffer both read-only and writable). Returns the uniform (kvRowParams moves pos).
 */
export function kv_cache_row_one(
  p: Program,
  a: KvRow & { x: BindingLike; cache: BindingLike; spare: { read: BindingLike; write: BindingLike }; gather: boolean },
): GPUBuffer {
  const u = p.uniform('kv_cache_row params', kvRowParams(a));
  const [spec, src, dst] = a.gather ? [GATHER_ONE, a.cache, a.x] : [APPEND_ONE, a.x, a.cache];
  p.add(spec, [src, a.spare.read, dst, a.spare.write, u], elementGrid(a.H * a.hd));
  return u;
}
