// kv_cache_append (shaders/kv_cache_append.wgsl): one position's keys and
// values written into row `pos` of a [H, rows, hd] cache, for incremental
// sampling (src/sample/incremental.ts). The position moves every step, so the
// caller keeps the uniform and rewrites it (kvAppendParams) instead of
// recording the program again.
import code from '../../shaders/kv_cache_append.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';

const PARAMS = uniformLayout([
  ['n', 'u32'],
  ['hd', 'u32'],
  ['rows', 'u32'],
  ['pos', 'u32'],
]);
const APPEND = {
  label: 'kv_cache_append',
  code,
  access: ['read', 'read', 'write', 'write', 'uniform'] as const,
  uniforms: { Params: PARAMS },
};
export const KERNELS: readonly KernelSpec[] = [APPEND];

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

/** The uniform of kv_cache_append at `pos`. */
export function kvAppendParams(a: KvAppendArgs): ArrayBuffer {
  if (!Number.isInteger(a.pos) || a.pos < 0 || a.pos >= a.rows)
    throw new Error(`kv_cache_append: position ${a.pos} outside a cache of ${a.rows} rows`);
  return packUniform(PARAMS, { n: a.H * a.hd, hd: a.hd, rows: a.rows, pos: a.pos });
}

/** Records the append; returns its uniform (rewrite it with kvAppendParams to move `pos`). */
export function kv_cache_append(p: Program, a: KvAppendArgs): GPUBuffer {
  const u = p.uniform('kv_cache_append params', kvAppendParams(a));
  p.add(APPEND, [a.k, a.v, a.cacheK, a.cacheV, u], elementGrid(a.H * a.hd));
  return u;
}
