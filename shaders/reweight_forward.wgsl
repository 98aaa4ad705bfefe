// Re-weighting pass, forward (spec "Re-weighting"; math in src/reference/reweight.ts).
//   att:  [BH, T, T] read   row-normalised causal weights (row i = 0-based query)
//   out:  [BH, T, T] write  A'; entries j > i written 0
//   P:    uniform { BH, T, gridX, p }
// One workgroup per row (row = wg.x + wg.y * gridX, spread over x and y so
// BH*T may exceed 65535). Threads stride over the row's columns; reductions
// are a fixed-order per-thread loop then a tree over the workgroup, so the
// result is bitwise reproducible.
// r is divided by the row max before pow: 1023^15 overflows f32 otherwise.
// A row whose r are all 0 (e.g. exactly uniform, i1 >= 4) keeps A.

struct Params { BH: u32, T: u32, gridX: u32, p: f32 }

@group(0) @binding(0) var<storage, read> att: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

const WG: u32 = 128u;
var<workgroup> red: array<f32, WG>;

fn reduce_max(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  // workgroupUniformLoad: the caller branches on the max, which needs a uniform value.
  let r = workgroupUniformLoad(&red[0]);
  workgroupBarrier(); // red is reused by the next reduction
  return r;
}

fn reduce_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(128, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let row = wg.x + wg.y * P.gridX;
  if (row >= P.BH * P.T) { return; } // uniform per workgroup
  let i = row % P.T;
  let base = row * P.T;
  let i1 = f32(i + 1u);
  let o = select(1.0, 0.0, i + 1u <= 3u);

  var m = 0.0;
  for (var j = lid; j <= i; j += WG) { m = max(m, i1 * att[base + j] - o); }
  m = reduce_max(lid, m);

  for (var j = i + 1u + lid; j < P.T; j += WG) { out[base + j] = 0.0; }
  if (m == 0.0) { // m came from workgroup memory: uniform
    for (var j = lid; j <= i; j += WG) { out[base + j] = att[base + j]; }
    return;
  }

  // w_j parked in out (same thread reads it back below, so no barrier needed).
  var s = 0.0;
  for (var j = lid; j <= i; j += WG) {
    let r = i1 * att[base + j] - o;
    var w = 0.0;
    if (r > 0.0) { w = pow(r / m, P.p); } // pow(0, p) is undefined in WGSL
    out[base + j] = w;
    s += w;
  }
  s = reduce_sum(lid, s);
  let inv = 1.0 / s;
  for (var j = lid; j <= i; j += WG) { out[base + j] = out[base + j] * inv; }
}
