// nonapprox forward: a causal running weighted mean with one score per position.
//   q:     [B, H, T, hd] read   (already through SiLU)
//   k, v:  [B, H, T, hd] read
//   out:   [B, H, T, hd] write  o_i = sum_{j<=i} exp(s_j) v_j / sum_{j<=i} exp(s_j)
//   stats: [B, H, T, 2]  write  (M_i, Z_i): running max of s and sum exp(s_j - M_i)
//   P:     uniform { BH, T, hd, gridX, len }: rows 0..len-1 of each head's T are
//          scanned and written (len = T in training and evaluation; incremental
//          sampling scans a cache of T rows up to the newest position)
// s_j = q_j . k_j / sqrt(hd). One thread per (bh, channel c), scanning T in
// order: linear time. Every thread of a head recomputes the same s_j with the
// same loop, so the scores (and the stats channel 0 writes) agree bitwise
// without any cross-thread communication.

struct Params { BH: u32, T: u32, hd: u32, gridX: u32, len: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  if (id >= P.BH * P.hd) { return; }
  let bh = id / P.hd;
  let c = id % P.hd;
  let scale = inverseSqrt(f32(P.hd));
  var M = 0.0;
  var Z = 0.0;
  var N = 0.0;
  for (var t = 0u; t < P.len; t++) {
    let o = (bh * P.T + t) * P.hd;
    var s = 0.0;
    for (var d = 0u; d < P.hd; d++) { s = fma(q[o + d], k[o + d], s); }
    s *= scale;
    if (t == 0u) {
      M = s; // explicit first step: no -inf sentinel (inf handling is not portable in WGSL)
    } else if (s > M) {
      // Rescale the running sums to the new max so exp never sees a positive argument.
      let f = exp(M - s);
      Z *= f;
      N *= f;
      M = s;
    }
    let e = exp(s - M);
    Z += e;
    N = fma(e, v[o + c], N);
    out[o + c] = N / Z;
    if (c == 0u) {
      stats[(bh * P.T + t) * 2u] = M;
      stats[(bh * P.T + t) * 2u + 1u] = Z;
    }
  }
}
