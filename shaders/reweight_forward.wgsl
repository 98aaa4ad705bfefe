// Re-weighting pass, forward (spec "Re-weighting"; math in src/reference/reweight.ts).
//   att:  [BH, T, T] read   row-normalised causal weights (row i = 0-based query)
//   out:  [BH, T, T] write  A'; entries j > i written 0
//   P:    uniform { BH, T, gridX (workgroups along x), p }
// One thread per row (row = gid.x + gid.y * gridX * 64, workgroups of 64 spread
// over x and y), walking the row's columns in order: fixed-order reductions
// (bitwise reproducible) and no barriers, which a software adapter pays dearly for.
// r is divided by the row max before pow: 1023^15 overflows f32 otherwise.
// A row whose r are all 0 (e.g. exactly uniform, i1 >= 4) keeps A.

struct Params { BH: u32, T: u32, gridX: u32, p: f32 }

@group(0) @binding(0) var<storage, read> att: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x + gid.y * P.gridX * 64u;
  if (row >= P.BH * P.T) { return; }
  let i = row % P.T;
  let base = row * P.T;
  let i1 = f32(i + 1u);
  let o = select(1.0, 0.0, i + 1u <= 3u);

  var m = 0.0;
  for (var j = 0u; j <= i; j++) { m = max(m, i1 * att[base + j] - o); }

  for (var j = i + 1u; j < P.T; j++) { out[base + j] = 0.0; }
  if (m == 0.0) {
    for (var j = 0u; j <= i; j++) { out[base + j] = att[base + j]; }
    return;
  }

  // w_j parked in out (the thread reads back only its own row).
  var s = 0.0;
  for (var j = 0u; j <= i; j++) {
    let r = i1 * att[base + j] - o;
    var w = 0.0;
    if (r > 0.0) { w = pow(r / m, P.p); } // pow(0, p) is undefined in WGSL
    out[base + j] = w;
    s += w;
  }
  let inv = 1.0 / s;
  for (var j = 0u; j <= i; j++) { out[base + j] = out[base + j] * inv; }
}
