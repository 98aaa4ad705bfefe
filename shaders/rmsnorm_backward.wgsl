// RMSNorm input gradient, one thread per row, 64 rows per workgroup (workgroups spread over x and y).
//   dout:   [N, C] read
//   inp:    [N, C] read
//   weight: [C]    read
//   rstd:   [N]    read    from rmsnorm_forward
//   dinp:   [N, C] write   rstd * (g - xhat * mean(g * xhat)), g = dout * weight, xhat = inp * rstd;
//                          added to the old contents when P.accumulate != 0 (residual stream)
//   P: N, C, accumulate
// A thread walks its row in order, so the row dot product has a fixed order
// (deterministic) and needs no barriers (very expensive on software adapters).
// The weight gradient is a separate kernel (rmsnorm_backward_dweight.wgsl) so
// that it reduces over rows in a fixed order without atomics.

struct Params { N: u32, C: u32, accumulate: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(5) var<uniform> P: Params;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + li;
  if (row >= P.N) { return; }
  let base = row * P.C;
  let r = rstd[row];
  var d = 0.0;
  for (var c = 0u; c < P.C; c++) {
    d = fma(dout[base + c] * weight[c], inp[base + c], d);
  }
  // mean(g * xhat) * rstd, folded so the loop below needs one multiply-add.
  let k = d * r * r / f32(P.C);
  for (var c = 0u; c < P.C; c++) {
    let i = base + c;
    var v = r * (dout[i] * weight[c] - inp[i] * k);
    if (P.accumulate != 0u) { v += dinp[i]; }
    dinp[i] = v;
  }
}
