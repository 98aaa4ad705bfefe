// RMSNorm weight gradient: dweight[c] += sum_n dout[n, c] * inp[n, c] * rstd[n].
//   dout:    [N, C] read
//   inp:     [N, C] read
//   rstd:    [N]    read
//   dweight: [C]    write (accumulated: parameter gradients are +=)
//   P: N, C
// A 32x8 workgroup owns 32 columns: each of the 8 row lanes walks rows
// lane, lane+8, ... in order, then the 8 partial sums meet in a fixed tree.
// No atomics, so the result is bitwise reproducible.

struct Params { N: u32, C: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const COLS: u32 = 32u;
const LANES: u32 = 8u;
var<workgroup> red: array<f32, 256>; // [LANES][COLS]

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wg.x * COLS + lid.x;
  var acc = 0.0;
  if (c < P.C) {
    for (var n = lid.y; n < P.N; n += LANES) {
      let i = n * P.C + c;
      acc = fma(dout[i], inp[i] * rstd[n], acc);
    }
  }
  red[lid.y * COLS + lid.x] = acc;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (lid.y < s) { red[lid.y * COLS + lid.x] += red[(lid.y + s) * COLS + lid.x]; }
    workgroupBarrier();
  }
  if (lid.y == 0u && c < P.C) { dweight[c] += red[lid.x]; }
}
