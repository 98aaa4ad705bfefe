// Re-weighting pass, backward (math and subgradient convention in src/reference/reweight.ts).
//   dout: [BH, T, T] read   dL/dA'
//   att:  [BH, T, T] read   A (forward input)
//   out:  [BH, T, T] read   A' (forward output)
//   datt: [BH, T, T] write  dL/dA; entries j > i written 0
//   P:    uniform { BH, T, gridX, p }
// Per row (m > 0), u = r/m, S = sum u^p, c = sum_k dout_k A'_k:
//   datt_j = i1 * p / (m S) * u_j^(p-1) * (dout_j - c)   where x_j = i1 A_j - o > 0, else 0.
// m == 0: datt = dout (the forward kept A). One workgroup per row, as in the forward.

struct Params { BH: u32, T: u32, gridX: u32, p: f32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> att: array<f32>;
@group(0) @binding(2) var<storage, read> outw: array<f32>;
@group(0) @binding(3) var<storage, read_write> datt: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 128u;
var<workgroup> red: array<vec2<f32>, WG>;

// One vec2 scratch serves both reductions: .x alone for the max, (S, c) for the sums.
fn reduce_max(lid: u32, v: f32) -> f32 {
  red[lid] = vec2<f32>(v, 0.0);
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid].x = max(red[lid].x, red[lid + s].x); }
    workgroupBarrier();
  }
  // workgroupUniformLoad: the caller branches on the max, which needs a uniform value.
  let r = workgroupUniformLoad(&red[0]).x;
  workgroupBarrier();
  return r;
}

fn reduce_sum2(lid: u32, v: vec2<f32>) -> vec2<f32> {
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

  for (var j = i + 1u + lid; j < P.T; j += WG) { datt[base + j] = 0.0; }
  if (m == 0.0) {
    for (var j = lid; j <= i; j += WG) { datt[base + j] = dout[base + j]; }
    return;
  }

  // t_j = u_j^(p-1) parked in datt (read back by the same thread below).
  var acc = vec2<f32>(0.0, 0.0); // (S, c)
  for (var j = lid; j <= i; j += WG) {
    let r = i1 * att[base + j] - o;
    var t = 0.0;
    if (r > 0.0) {
      let u = r / m;
      t = pow(u, P.p - 1.0);
      acc.x += t * u;
    }
    datt[base + j] = t;
    acc.y += dout[base + j] * outw[base + j];
  }
  acc = reduce_sum2(lid, acc);
  let scale = i1 * P.p / (m * acc.x);
  let c = acc.y;
  for (var j = lid; j <= i; j += WG) {
    // t == 0 also covers x_j <= 0 (relu'(0) = 0), including p = 1.
    datt[base + j] = scale * datt[base + j] * (dout[base + j] - c);
  }
}
