// Causal row mix, one output row per workgroup:
//   w:   [B, H, T, T]   lower-triangular weights (entries j > i never read)
//   x:   [B, H, T, hd]  rows being mixed
//   y:   [B, H, T, hd]  only read when project = 1 (else bind anything of that size)
//   out: [B, H, T, hd]
//   trans = 0: out[r] = sum_{c <= r} w[r, c] x[c]       (O = A.V, and dQ = dS.K)
//   trans = 1: out[r] = sum_{c >= r} w[c, r] x[c]       (dV = A^T.dO, and dK = dS^T.Q)
//   project = 1: out[r] = g - y (y.g) / (|y|^2 + eps), g the mix above: the gradient
//   through lssa's y^ = y / sqrt(|y|^2 + eps), given g = dL/dy^ / sqrt(|y|^2 + eps).
// One kernel serves the values forward, the dV half of the values backward and the
// dQ / dK halves of the probabilities backward. Dispatch: (T, B*H).
// Threads split a chunk of up to 64 dims into `lanes` columns x `groups` strided
// slices of c; slices are summed in a fixed order (deterministic).

struct Params { T: u32, hd: u32, trans: u32, project: u32 }

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 64u;
const MAXHD: u32 = 256u;
const EPS: f32 = 1e-6;
var<workgroup> rowv: array<f32, MAXHD>;
var<workgroup> red: array<f32, WG>;
var<workgroup> red2: array<f32, WG>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.x;
  let bh = wg.y;
  let tid = lid.x;
  let T = P.T;
  let hd = P.hd;
  let wb = bh * T * T;
  let xb = bh * T * hd;
  var cLo = 0u;
  var cHi = r;            // inclusive
  var wRow = T;           // w index = wb + c * wCol + r * wRow
  var wCol = 1u;
  if (P.trans != 0u) { cLo = r; cHi = T - 1u; wRow = 1u; wCol = T; }

  for (var d0 = 0u; d0 < hd; d0 += WG) {
    let lanes = min(WG, hd - d0);
    let groups = WG / lanes;
    let lane = tid % lanes;
    let grp = tid / lanes;
    var acc = 0.0;
    if (grp < groups) {
      let d = d0 + lane;
      for (var c = cLo + grp; c <= cHi; c += groups) {
        acc = fma(w[wb + c * wCol + r * wRow], x[xb + c * hd + d], acc);
      }
    }
    red[tid] = acc;
    workgroupBarrier();
    if (tid < lanes) {
      var s = 0.0;
      for (var g = 0u; g < groups; g++) { s += red[g * lanes + tid]; }
      rowv[d0 + tid] = s;
    }
    workgroupBarrier();
  }

  let ro = xb + r * hd;
  if (P.project != 0u) {
    var yg = 0.0;
    var yy = 0.0;
    for (var d = tid; d < hd; d += WG) {
      let yv = y[ro + d];
      yg = fma(yv, rowv[d], yg);
      yy = fma(yv, yv, yy);
    }
    red[tid] = yg;
    red2[tid] = yy;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s / 2u) {
      if (tid < s) {
        red[tid] = red[tid] + red[tid + s];
        red2[tid] = red2[tid] + red2[tid + s];
      }
      workgroupBarrier();
    }
    let f = red[0] / (red2[0] + EPS);
    for (var d = tid; d < hd; d += WG) { out[ro + d] = rowv[d] - y[ro + d] * f; }
  } else {
    for (var d = tid; d < hd; d += WG) { out[ro + d] = rowv[d]; }
  }
}
