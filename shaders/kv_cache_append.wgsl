// Appends one position's keys and values to a key/value cache (incremental
// sampling, src/sample/incremental.ts): row `pos` of every head.
//   k, v:           [H, hd] read   (one token's heads, k after RoPE)
//   cacheK, cacheV: [H, rows, hd] read_write; row pos of head h = k[h], v[h]
//   P: n = H*hd, hd, rows, pos
// One thread per element; 256-wide workgroups spread over x and y.

struct Params { n: u32, hd: u32, rows: u32, pos: u32 }

@group(0) @binding(0) var<storage, read> k: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> cacheK: array<f32>;
@group(0) @binding(3) var<storage, read_write> cacheV: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.n) { return; }
  let h = i / P.hd;
  let o = (h * P.rows + P.pos) * P.hd + i % P.hd;
  cacheK[o] = k[i];
  cacheV[o] = v[i];
}
