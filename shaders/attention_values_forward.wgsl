// Causal row mix, one thread per (8 output rows, 8 channels), no barriers:
//   w:   [B, H, T, T]   lower-triangular weights (entries j > i never used)
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
// Register tile: a thread computes ROWS = 8 consecutive output rows x 2 adjacent
// 4-channel groups (16 vec4 accumulators), so each x[c] it loads serves 8 rows and each
// w[r, c] 8 channels. SwiftShader runs every load as a per-lane gather, and the one-row
// form (one row x one group a thread) spent 5 loads per 4 fmas. Each output still sums
// c ascending, one fma per c into an accumulator starting at 0, exactly as the one-row
// form did: the same bits (tests/gpu/attention_mix.test.ts holds it to that kernel).
// The tile's diagonal corner (trans = 0: its last ROWS-1 columns; trans = 1: its first)
// reaches only some of its rows, so that loop selects per row; the rest take every row.
// Threads: B*H*ceil(T / ROWS) tiles x TPR, TPR = ceil(hd / 8) (two groups each; a second
// group past the row re-reads the first and stores nothing), or TPR = 1 when project = 1:
// the projection needs the whole row, so one thread walks every group pair, parks g in
// `out` and re-reads only what it wrote itself (no cross-thread traffic).
// Barriers and per-row workgroups are what make a software adapter slow, and its
// compiler unrolls nothing: the accumulators are written out by hand.
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

// Rows per thread (MIX_ROWS in src/kernels/attention.ts); the code below spells out 8.
const ROWS: u32 = 8u;

// x[o + e] for e < 4, with e clamped to the group's last real channel: a short
// tail group re-reads an in-row element into lanes that are never stored.
fn load4(o: u32, last: u32) -> vec4<f32> {
  return vec4<f32>(x[o], x[o + min(1u, last)], x[o + min(2u, last)], x[o + min(3u, last)]);
}

// Stores row r's group (rows past T belong to no one) and returns its (y.g, |y|^2) so far.
fn put(r: u32, ro: u32, last: u32, a: vec4<f32>, s: vec2<f32>) -> vec2<f32> {
  if (r >= P.T) { return s; }
  var t = s;
  for (var e = 0u; e <= last; e++) {
    out[ro + e] = a[e];
    if (P.project != 0u) {
      let yv = y[ro + e];
      t = vec2<f32>(fma(yv, a[e], t.x), fma(yv, yv, t.y));
    }
  }
  return t;
}

// project = 1: row r's g (parked in out) becomes g - y (y.g) / (|y|^2 + eps).
fn project(r: u32, ro: u32, s: vec2<f32>) {
  if (r >= P.T) { return; }
  let f = s.x / (s.y + EPS);
  for (var d = 0u; d < HD; d++) { out[ro + d] = out[ro + d] - y[ro + d] * f; }
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  if (id >= P.total) { return; }
  let T = P.T;
  let hd = HD;
  let tiles = (T + ROWS - 1u) / ROWS;
  let tile = id / P.tpr;         // bh * tiles + tile of rows
  let part = id % P.tpr;
  let bh = tile / tiles;
  let r0 = (tile % tiles) * ROWS;
  let wb = bh * T * T;
  // Row c of x (and of out) at base + c * stride: heads [B,H,T,hd] or merged [B,T,H*hd].
  let merged = ((bh / P.H) * T * P.H + bh % P.H) * hd;
  let xb = select(bh * T * hd, merged, P.xMerged != 0u);
  let xs = select(hd, P.H * hd, P.xMerged != 0u);
  let ob = select(bh * T * hd, merged, P.outMerged != 0u);
  let os = select(hd, P.H * hd, P.outMerged != 0u);
  // w[row r, column c] at w_r + c * wCol. Rows past T read row T-1 and store nothing.
  let tr = P.trans != 0u;
  let wRow = select(T, 1u, tr);
  let wCol = select(1u, T, tr);
  let w0 = wb + min(r0, T - 1u) * wRow;
  let w1 = wb + min(r0 + 1u, T - 1u) * wRow;
  let w2 = wb + min(r0 + 2u, T - 1u) * wRow;
  let w3 = wb + min(r0 + 3u, T - 1u) * wRow;
  let w4 = wb + min(r0 + 4u, T - 1u) * wRow;
  let w5 = wb + min(r0 + 5u, T - 1u) * wRow;
  let w6 = wb + min(r0 + 6u, T - 1u) * wRow;
  let w7 = wb + min(r0 + 7u, T - 1u) * wRow;
  // Columns: [cA, cB) the corner of trans = 1, [cB, cC) every row, [cC, cD) the corner of trans = 0.
  let rEnd = min(r0 + ROWS, T);
  var cA = r0;
  var cB = min(r0 + ROWS - 1u, T);
  var cC = T;
  var cD = T;
  if (!tr) { cA = 0u; cB = 0u; cC = r0 + 1u; cD = rEnd; }
  let G = (hd + 3u) / 4u;
  // Groups g and g + 1 (clamped to the last, then not stored).
  var g0 = part * 2u;
  var g1 = g0 + 2u;
  if (P.project != 0u) { g0 = 0u; g1 = G; }

  var s0 = vec2<f32>(0.0);
  var s1 = vec2<f32>(0.0);
  var s2 = vec2<f32>(0.0);
  var s3 = vec2<f32>(0.0);
  var s4 = vec2<f32>(0.0);
  var s5 = vec2<f32>(0.0);
  var s6 = vec2<f32>(0.0);
  var s7 = vec2<f32>(0.0);
  for (var g = g0; g < g1; g += 2u) {
    let d0 = min(g, G - 1u) * 4u;
    let d1 = min(g + 1u, G - 1u) * 4u;
    let last0 = select(min(hd - d0, 4u) - 1u, 3u, HD % 4u == 0u);
    let last1 = select(min(hd - d1, 4u) - 1u, 3u, HD % 4u == 0u);
    let xd0 = xb + d0;
    let xd1 = xb + d1;
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0);
    var a5 = vec4<f32>(0.0);
    var a6 = vec4<f32>(0.0);
    var a7 = vec4<f32>(0.0);
    var b0 = vec4<f32>(0.0);
    var b1 = vec4<f32>(0.0);
    var b2 = vec4<f32>(0.0);
    var b3 = vec4<f32>(0.0);
    var b4 = vec4<f32>(0.0);
    var b5 = vec4<f32>(0.0);
    var b6 = vec4<f32>(0.0);
    var b7 = vec4<f32>(0.0);
    // trans = 1: column r0 + k reaches rows i <= k (row 7 starts at cB).
    for (var c = cA; c < cB; c++) {
      let k = c - r0;
      let xv = load4(xd0 + c * xs, last0);
      let xu = load4(xd1 + c * xs, last1);
      let cw = c * wCol;
      let v0 = vec4<f32>(w[w0 + cw]);
      a0 = fma(v0, xv, a0);
      b0 = fma(v0, xu, b0);
      let v1 = vec4<f32>(w[w1 + cw]);
      a1 = select(a1, fma(v1, xv, a1), k >= 1u);
      b1 = select(b1, fma(v1, xu, b1), k >= 1u);
      let v2 = vec4<f32>(w[w2 + cw]);
      a2 = select(a2, fma(v2, xv, a2), k >= 2u);
      b2 = select(b2, fma(v2, xu, b2), k >= 2u);
      let v3 = vec4<f32>(w[w3 + cw]);
      a3 = select(a3, fma(v3, xv, a3), k >= 3u);
      b3 = select(b3, fma(v3, xu, b3), k >= 3u);
      let v4 = vec4<f32>(w[w4 + cw]);
      a4 = select(a4, fma(v4, xv, a4), k >= 4u);
      b4 = select(b4, fma(v4, xu, b4), k >= 4u);
      let v5 = vec4<f32>(w[w5 + cw]);
      a5 = select(a5, fma(v5, xv, a5), k >= 5u);
      b5 = select(b5, fma(v5, xu, b5), k >= 5u);
      let v6 = vec4<f32>(w[w6 + cw]);
      a6 = select(a6, fma(v6, xv, a6), k >= 6u);
      b6 = select(b6, fma(v6, xu, b6), k >= 6u);
    }
    for (var c = cB; c < cC; c++) {
      let xv = load4(xd0 + c * xs, last0);
      let xu = load4(xd1 + c * xs, last1);
      let cw = c * wCol;
      let v0 = vec4<f32>(w[w0 + cw]);
      a0 = fma(v0, xv, a0);
      b0 = fma(v0, xu, b0);
      let v1 = vec4<f32>(w[w1 + cw]);
      a1 = fma(v1, xv, a1);
      b1 = fma(v1, xu, b1);
      let v2 = vec4<f32>(w[w2 + cw]);
      a2 = fma(v2, xv, a2);
      b2 = fma(v2, xu, b2);
      let v3 = vec4<f32>(w[w3 + cw]);
      a3 = fma(v3, xv, a3);
      b3 = fma(v3, xu, b3);
      let v4 = vec4<f32>(w[w4 + cw]);
      a4 = fma(v4, xv, a4);
      b4 = fma(v4, xu, b4);
      let v5 = vec4<f32>(w[w5 + cw]);
      a5 = fma(v5, xv, a5);
      b5 = fma(v5, xu, b5);
      let v6 = vec4<f32>(w[w6 + cw]);
      a6 = fma(v6, xv, a6);
      b6 = fma(v6, xu, b6);
      let v7 = vec4<f32>(w[w7 + cw]);
      a7 = fma(v7, xv, a7);
      b7 = fma(v7, xu, b7);
    }
    // trans = 0: column r0 + k reaches rows i >= k (row 0 ends at cC).
    for (var c = cC; c < cD; c++) {
      let k = c - r0;
      let xv = load4(xd0 + c * xs, last0);
      let xu = load4(xd1 + c * xs, last1);
      let cw = c * wCol;
      let v1 = vec4<f32>(w[w1 + cw]);
      a1 = select(a1, fma(v1, xv, a1), k <= 1u);
      b1 = select(b1, fma(v1, xu, b1), k <= 1u);
      let v2 = vec4<f32>(w[w2 + cw]);
      a2 = select(a2, fma(v2, xv, a2), k <= 2u);
      b2 = select(b2, fma(v2, xu, b2), k <= 2u);
      let v3 = vec4<f32>(w[w3 + cw]);
      a3 = select(a3, fma(v3, xv, a3), k <= 3u);
      b3 = select(b3, fma(v3, xu, b3), k <= 3u);
      let v4 = vec4<f32>(w[w4 + cw]);
      a4 = select(a4, fma(v4, xv, a4), k <= 4u);
      b4 = select(b4, fma(v4, xu, b4), k <= 4u);
      let v5 = vec4<f32>(w[w5 + cw]);
      a5 = select(a5, fma(v5, xv, a5), k <= 5u);
      b5 = select(b5, fma(v5, xu, b5), k <= 5u);
      let v6 = vec4<f32>(w[w6 + cw]);
      a6 = select(a6, fma(v6, xv, a6), k <= 6u);
      b6 = select(b6, fma(v6, xu, b6), k <= 6u);
      let v7 = vec4<f32>(w[w7 + cw]);
      a7 = fma(v7, xv, a7);
      b7 = fma(v7, xu, b7);
    }
    let od0 = ob + d0;
    s0 = put(r0, od0 + r0 * os, last0, a0, s0);
    s1 = put(r0 + 1u, od0 + (r0 + 1u) * os, last0, a1, s1);
    s2 = put(r0 + 2u, od0 + (r0 + 2u) * os, last0, a2, s2);
    s3 = put(r0 + 3u, od0 + (r0 + 3u) * os, last0, a3, s3);
    s4 = put(r0 + 4u, od0 + (r0 + 4u) * os, last0, a4, s4);
    s5 = put(r0 + 5u, od0 + (r0 + 5u) * os, last0, a5, s5);
    s6 = put(r0 + 6u, od0 + (r0 + 6u) * os, last0, a6, s6);
    s7 = put(r0 + 7u, od0 + (r0 + 7u) * os, last0, a7, s7);
    if (g + 1u < G) {
      let od1 = ob + d1;
      s0 = put(r0, od1 + r0 * os, last1, b0, s0);
      s1 = put(r0 + 1u, od1 + (r0 + 1u) * os, last1, b1, s1);
      s2 = put(r0 + 2u, od1 + (r0 + 2u) * os, last1, b2, s2);
      s3 = put(r0 + 3u, od1 + (r0 + 3u) * os, last1, b3, s3);
      s4 = put(r0 + 4u, od1 + (r0 + 4u) * os, last1, b4, s4);
      s5 = put(r0 + 5u, od1 + (r0 + 5u) * os, last1, b5, s5);
      s6 = put(r0 + 6u, od1 + (r0 + 6u) * os, last1, b6, s6);
      s7 = put(r0 + 7u, od1 + (r0 + 7u) * os, last1, b7, s7);
    }
  }
  if (P.project != 0u) {
    project(r0, ob + r0 * os, s0);
    project(r0 + 1u, ob + (r0 + 1u) * os, s1);
    project(r0 + 2u, ob + (r0 + 2u) * os, s2);
    project(r0 + 3u, ob + (r0 + 3u) * os, s3);
    project(r0 + 4u, ob + (r0 + 4u) * os, s4);
    project(r0 + 5u, ob + (r0 + 5u) * os, s5);
    project(r0 + 6u, ob + (r0 + 6u) * os, s6);
    project(r0 + 7u, ob + (r0 + 7u) * os, s7);
  }
}
