// RMSNorm forward, one workgroup per row (rows spread over workgroup x and y).
//   inp:    [N, C] read
//   weight: [C]    read
//   out:    [N, C] write   out = inp * rstd * weight
//   rstd:   [N]    write   1 / sqrt(mean(inp^2) + eps), saved for the backward pass
//   P: N, C, eps
// The sum of squares is a fixed-order tree over 256 lanes (deterministic).

struct Params { N: u32, C: u32, eps: f32, _pad: u32 }

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 256u;
var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  // Uniform per workgroup, so returning before the barriers is allowed.
  if (row >= P.N) { return; }
  let base = row * P.C;
  var ss = 0.0;
  for (var c = li; c < P.C; c += WG) {
    let x = inp[base + c];
    ss = fma(x, x, ss);
  }
  red[li] = ss;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  let r = 1.0 / sqrt(red[0] / f32(P.C) + P.eps);
  if (li == 0u) { rstd[row] = r; }
  for (var c = li; c < P.C; c += WG) {
    out[base + c] = inp[base + c] * r * weight[c];
  }
}
