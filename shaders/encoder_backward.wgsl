// Token embedding gradient: dwte[v, c] += sum over n with tokens[n] == v of dout[n, c]
//   dout: [N, C] read    tokens: [N] u32 read    dwte: [V, C] write (accumulated)
//   P: N, C, V, slices = ceil(C / 64)
// Deterministic without atomics on floats: each (v, c) has one owner thread.
// Thread i (64 per workgroup, workgroups spread over x and y) owns token
// v = i / slices and the (up to) 64 columns of slice i % slices. It scans the
// tokens in order of n and adds each matching row straight into dwte, so every
// sum is added in increasing n. No barriers (very expensive on software
// adapters), and few threads: the token scan, not the N * C adds, is what
// grows with the thread count (V * slices * N comparisons).

struct Params { N: u32, C: u32, V: u32, slices: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read_write> dwte: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 64u;
const SLICE: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * WG + li;
  let v = i / P.slices;
  if (v >= P.V) { return; }
  let c0 = (i - v * P.slices) * SLICE;
  let width = min(SLICE, P.C - c0);
  let o = v * P.C + c0;
  for (var n = 0u; n < P.N; n++) {
    if (tokens[n] == v) {
      let b = n * P.C + c0;
      for (var k = 0u; k < width; k++) { dwte[o + k] += dout[b + k]; }
    }
  }
}
