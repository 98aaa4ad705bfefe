// Re-weighting pass, backward (math and subgradient convention in src/reference/reweight.ts).
//   dout: [BH, T, T] read   dL/dA'
//   att:  [BH, T, T] read   A (forward input)
//   out:  [BH, T, T] read   A' (forward output)
//   datt: [BH, T, T] write  dL/dA; entries j > i written 0
//   P:    uniform { BH, T, gridX (workgroups along x), p }
// Per row (m > 0), u = r/m, S = sum u^p, c = sum_k dout_k A'_k:
//   datt_j = i1 * p / (m S) * u_j^(p-1) * (dout_j - c)   where x_j = i1 A_j - o > 0, else 0.
// m == 0: datt = dout (the forward kept A). One thread per row, as in the forward.

struct Params { BH: u32, T: u32, gridX: u32, p: f32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> att: array<f32>;
@group(0) @binding(2) var<storage, read> outw: array<f32>;
@group(0) @binding(3) var<storage, read_write> datt: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

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

  for (var j = i + 1u; j < P.T; j++) { datt[base + j] = 0.0; }
  if (m == 0.0) {
    for (var j = 0u; j <= i; j++) { datt[base + j] = dout[base + j]; }
    return;
  }

  // t_j = u_j^(p-1) parked in datt (read back by the same thread below).
  var S = 0.0;
  var c = 0.0;
  for (var j = 0u; j <= i; j++) {
    let r = i1 * att[base + j] - o;
    var t = 0.0;
    if (r > 0.0) {
      let u = r / m;
      t = pow(u, P.p - 1.0);
      S += t * u;
    }
    datt[base + j] = t;
    c = fma(dout[base + j], outw[base + j], c);
  }
  let scale = i1 * P.p / (m * S);
  for (var j = 0u; j <= i; j++) {
    // t == 0 also covers x_j <= 0 (relu'(0) = 0), including p = 1.
    datt[base + j] = scale * datt[base + j] * (dout[base + j] - c);
  }
}
