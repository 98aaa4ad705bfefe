// RMSNorm input gradient, one workgroup per row (rows spread over workgroup x and y).
//   dout:   [N, C] read
//   inp:    [N, C] read
//   weight: [C]    read
//   rstd:   [N]    read    from rmsnorm_forward
//   dinp:   [N, C] write   rstd * (g - xhat * mean(g * xhat)), g = dout * weight, xhat = inp * rstd;
//                          added to the old contents when P.accumulate != 0 (residual stream)
//   P: N, C, accumulate
// The row dot product is a fixed-order tree over 256 lanes (deterministic).
// The weight gradient is a separate kernel (rmsnorm_backward_dweight.wgsl) so
// that it reduces over rows in a fixed order without atomics.

struct Params { N: u32, C: u32, accumulate: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(5) var<uniform> P: Params;

const WG: u32 = 256u;
var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= P.N) { return; }
  let base = row * P.C;
  let r = rstd[row];
  var d = 0.0;
  for (var c = li; c < P.C; c += WG) {
    d = fma(dout[base + c] * weight[c], inp[base + c], d);
  }
  red[li] = d;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  // mean(g * xhat) * rstd, folded so the loop below needs one multiply-add.
  let k = red[0] * r * r / f32(P.C);
  for (var c = li; c < P.C; c += WG) {
    let i = base + c;
    var v = r * (dout[i] * weight[c] - inp[i] * k);
    if (P.accumulate != 0u) { v += dinp[i]; }
    dinp[i] = v;
  }
}
