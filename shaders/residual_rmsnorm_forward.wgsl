// Residual add fused into the RMSNorm that follows it, one thread per row,
// 64 rows per workgroup (workgroups spread over x and y):
//   a, b:   [N, C] read    the residual stream and the sub-layer's output
//   weight: [C]    read
//   res:    [N, C] write   res = a + b, the new residual stream
//   out:    [N, C] write   out = res * rstd * weight
//   rstd:   [N]    write   1 / sqrt(mean(res^2) + eps), saved for the backward pass
//   P: N, C, eps
// The same arithmetic as residual_forward.wgsl then rmsnorm_forward.wgsl (so
// the same bits) in one dispatch and one pass over a and b. The sum is
// recomputed for the second loop rather than read back from res.

struct Params { N: u32, C: u32, eps: f32, _pad: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> res: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(6) var<uniform> P: Params;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + li;
  if (row >= P.N) { return; }
  let base = row * P.C;
  var ss = 0.0;
  for (var c = 0u; c < P.C; c++) {
    let x = a[base + c] + b[base + c];
    res[base + c] = x;
    ss = fma(x, x, ss);
  }
  let r = 1.0 / sqrt(ss / f32(P.C) + P.eps);
  rstd[row] = r;
  for (var c = 0u; c < P.C; c++) {
    out[base + c] = (a[base + c] + b[base + c]) * r * weight[c];
  }
}
