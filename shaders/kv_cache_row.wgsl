// One position's row of [H, rows, hd] buffers, in or out (incremental sampling,
// src/sample/incremental.ts), for two tensors at once:
//   GATHER = 0 (kv_cache_append): a, b = k, v [H, hd] read; c, d = the key and
//     value caches [H, rows, hd]; row pos of head h = k[h], v[h].
//   GATHER = 1 (kv_cache_gather): a, b = queries and keys [H, rows, hd] (the
//     fixed stream's, computed by the prompt's pass); c, d = q, k [H, hd]
//     written from their row pos.
//   PAIRS = 1: only a -> c (b and d bound but untouched: one tensor).
//   P: n = H*hd, hd, rows, pos
// One thread per element of a row; 256-wide workgroups spread over x and y.

override GATHER: u32 = 0u;
override PAIRS: u32 = 2u;

struct Params { n: u32, hd: u32, rows: u32, pos: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> d: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.n) { return; }
  let o = ((i / P.hd) * P.rows + P.pos) * P.hd + i % P.hd;
  if (GATHER != 0u) {
    c[i] = a[o];
    if (PAIRS > 1u) { d[i] = b[o]; }
  } else {
    c[o] = a[i];
    if (PAIRS > 1u) { d[o] = b[i]; }
  }
}
