// RMSNorm backward, input and weight gradients in one dispatch of 64-wide workgroups
// (spread over x and y): the first P.rowGroups workgroups own a row per thread, the
// rest a column per thread.
//   dout:    [N, C] read
//   inp:     [N, C] read
//   weight:  [C]    read
//   rstd:    [N]    read    from rmsnorm_forward
//   dinp:    [N, C] write   rstd * (g - xhat * mean(g * xhat)), g = dout * weight, xhat = inp * rstd;
//                           added to the old contents when P.accumulate != 0 (residual stream)
//   dweight: [C]    write   += sum_n dout[n, c] * inp[n, c] * rstd[n] (parameter gradients accumulate)
//   P: N, C, accumulate, rowGroups
// Each thread walks its row (or column) in a fixed order (deterministic, no
// atomics) and needs no barriers, which software adapters
// (SwiftShader) make very expensive. The two halves read only inputs, so they
// can share a dispatch (one fewer per norm than a separate weight-gradient kernel).

struct Params { N: u32, C: u32, accumulate: u32, rowGroups: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(5) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(6) var<uniform> P: Params;

const WG: u32 = 64u;

fn row_grad(row: u32) {
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

// The column sum in the order of the former separate kernel (8 lanes, lane j
// taking rows j, j+8, ..., then a fixed tree over the lanes), so a training run
// gives the same bits as before the fusion: the extrapolation regression test
// (tests/gpu/extrapolation_regression.test.ts) moved by more than its margin
// when only this sum was reassociated.
const LANES: u32 = 8u;

fn column_grad(c: u32) {
  var lane: array<f32, 8>;
  for (var n0 = 0u; n0 < P.N; n0 += LANES) {
    for (var j = 0u; j < LANES; j++) {
      let n = n0 + j;
      if (n < P.N) {
        let i = n * P.C + c;
        lane[j] = fma(dout[i], inp[i] * rstd[n], lane[j]);
      }
    }
  }
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    for (var j = 0u; j < s; j++) { lane[j] += lane[j + s]; }
  }
  dweight[c] += lane[0];
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let group = wg.y * nwg.x + wg.x;
  if (group < P.rowGroups) {
    let row = group * WG + li;
    if (row < P.N) { row_grad(row); }
  } else {
    let c = (group - P.rowGroups) * WG + li;
    if (c < P.C) { column_grad(c); }
  }
}
