// RMSNorm forward, one thread per row, 64 rows per workgroup (workgroups spread over x and y).
//   inp:    [N, C] read
//   weight: [C]    read
//   out:    [N, C] write   out = inp * rstd * weight
//   rstd:   [N]    write   1 / sqrt(mean(inp^2) + eps), saved for the backward pass
//   P: N, C, eps
// A thread walks its row in order: the sum of squares has a fixed order
// (deterministic) and there are no barriers, which software adapters
// (SwiftShader) make very expensive, while rows of a few hundred channels
// leave too little work to split a row over lanes.

struct Params { N: u32, C: u32, eps: f32, _pad: u32 }

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + li;
  if (row >= P.N) { return; }
  let base = row * P.C;
  var ss = 0.0;
  for (var c = 0u; c < P.C; c++) {
    let x = inp[base + c];
    ss = fma(x, x, ss);
  }
  let r = 1.0 / sqrt(ss / f32(P.C) + P.eps);
  rstd[row] = r;
  for (var c = 0u; c < P.C; c++) {
    out[base + c] = inp[base + c] * r * weight[c];
  }
}
