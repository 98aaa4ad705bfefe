// Causal row mix, one thread per (output row, 4-channel group), no barriers:
//   w:   [B, H, T, T]   lower-triangular weights (entries j > i never read)
//   x:   [B, H, T, hd]  rows being mixed
//   y:   [B, H, T, hd]  only read when project = 1 (else bind anything of that size)
//   out: [B, H, T, hd]
//   xMerged = 1: x is [B, T, H*hd] instead (the heads merged, as the output projection
//   reads them); outMerged = 1: out is. Only the addresses change, so the same bits as
//   a heads_merge before or after (never with project = 1).
//   trans = 0: out[r] = sum_{c <= r} w[r, c] x[c]       (O = A.V, and dQ = dS.K)
//   trans = 1: out[r] = sum_{c >= r} w[c, r] x[c]       (dV = A^T.dO, and dK = dS^T.Q)
//   project = 1: out[r] = g - y (y.g) / (|y|^2 + eps), g the mix above: the gradient
//   through lssa's y^ = y / sqrt(|y|^2 + eps), given g = dL/dy^ / sqrt(|y|^2 + eps).
// One kernel serves the values forward, the dV half of the values backward and the
// dQ / dK halves of the probabilities backward.
// Threads: rows * TPR, TPR = ceil(hd / 4) (one 4-channel group each), or TPR = 1 when
// project = 1: the projection needs the whole row, so one thread walks every group,
// parks g in `out` and re-reads only what it wrote itself (no cross-thread traffic).
// Barriers and per-row workgroups are what make a software adapter slow, so each
// thread sums over c sequentially (fixed order: deterministic).
// Dispatch: (gridX, gridY) workgroups of 64; thread id = gid.x + gid.y * gridX * 64.
// Compiled after shaders/attention_common.wgsl (HD, EPS). HD as a pipeline constant
// gives fixed strides, and the tail clamps of load4 fold away when HD is a multiple of 4.

struct Params {
  T: u32, hd: u32, trans: u32, project: u32, tpr: u32, gridX: u32, total: u32, H: u32,
  xMerged: u32, outMerged: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

// x[o + e] for e < 4, with e clamped to the group's last real channel: a short
// tail group re-reads an in-row element into lanes that are never stored.
fn load4(o: u32, last: u32) -> vec4<f32> {
  return vec4<f32>(x[o], x[o + min(1u, last)], x[o + min(2u, last)], x[o + min(3u, last)]);
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  if (id >= P.total) { return; }
  let T = P.T;
  let hd = HD;
  let row = id / P.tpr;          // bh * T + r
  let part = id % P.tpr;
  let bh = row / T;
  let r = row % T;
  let wb = bh * T * T;
  // Row c of x (and of out) at base + c * stride: heads [B,H,T,hd] or merged [B,T,H*hd].
  let merged = ((bh / P.H) * T * P.H + bh % P.H) * hd;
  let xb = select(bh * T * hd, merged, P.xMerged != 0u);
  let xs = select(hd, P.H * hd, P.xMerged != 0u);
  var cLo = 0u;
  var cHi = r;                   // inclusive
  var wRow = T;                  // w index = wb + c * wCol + r * wRow
  var wCol = 1u;
  if (P.trans != 0u) { cLo = r; cHi = T - 1u; wRow = 1u; wCol = T; }
  let G = (hd + 3u) / 4u;
  var g0 = part;
  var g1 = part + 1u;
  if (P.project != 0u) { g0 = 0u; g1 = G; }

  let ro = select(bh * T * hd + r * hd, merged + r * P.H * hd, P.outMerged != 0u);
  var yg = 0.0;
  var yy = 0.0;
  for (var g = g0; g < g1; g++) {
    let d = g * 4u;
    let last = select(min(hd - d, 4u) - 1u, 3u, HD % 4u == 0u);
    var acc = vec4<f32>(0.0);
    for (var c = cLo; c <= cHi; c++) {
      acc = fma(vec4<f32>(w[wb + c * wCol + r * wRow]), load4(xb + c * xs + d, last), acc);
    }
    for (var e = 0u; e <= last; e++) {
      out[ro + d + e] = acc[e];
      if (P.project != 0u) {
        let yv = y[ro + d + e];
        yg = fma(yv, acc[e], yg);
        yy = fma(yv, yv, yy);
      }
    }
  }
  if (P.project != 0u) {
    let f = yg / (yy + EPS);
    for (var d = 0u; d < hd; d++) { out[ro + d] = out[ro + d] - y[ro + d] * f; }
  }
}
