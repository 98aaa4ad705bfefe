// nonapprox backward, pass 1 of 2: the reverse scan (derivation in src/reference/nonapprox.ts).
//   dout:  [B, H, T, hd] read   dL/do
//   out:   [B, H, T, hd] read   o (forward output)
//   stats: [B, H, T, 2]  read   (M_i, Z_i) from the forward; L_i = M_i + ln Z_i
//   q, k, v: [B, H, T, hd] read
//   dv:    [B, H, T, hd] write  dv_j = w_jj R_j
//   dq:    [B, H, T, hd] write  used as scratch here: E_j[c], whose sum over c is ds_j
//   P:     uniform { BH, T, hd, gridX }
// One thread per (bh, channel c), walking t = T-1 .. 0 (linear time). With
// carry_j = exp(L_j - L_{j+1}) in (0, 1] (L is non-decreasing, so the suffix
// sums cannot overflow) and w_jj = exp(s_j - L_j):
//   R_j[c] = g_j[c] + carry_j R_{j+1}[c]
//   Q_j[c] = g_j[c] o_j[c] + carry_j Q_{j+1}[c]        (sum_c Q_j[c] = P_j of the reference)
//   E_j[c] = w_jj (v_j[c] R_j[c] - Q_j[c])             (sum_c E_j[c] = ds_j)
// Splitting P_j per channel keeps each thread on its own channel: no
// cross-thread traffic; pass 2 (shaders/nonapprox_backward_qk.wgsl) sums E
// over c in a fixed order and turns ds into dq and dk.
// 8 storage bindings: the WebGPU default limit, so nothing more may be added.

struct Params { BH: u32, T: u32, hd: u32, gridX: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> outp: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> q: array<f32>;
@group(0) @binding(4) var<storage, read> k: array<f32>;
@group(0) @binding(5) var<storage, read> v: array<f32>;
@group(0) @binding(6) var<storage, read_write> dv: array<f32>;
@group(0) @binding(7) var<storage, read_write> escr: array<f32>;
@group(0) @binding(8) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  if (id >= P.BH * P.hd) { return; }
  let bh = id / P.hd;
  let c = id % P.hd;
  let scale = inverseSqrt(f32(P.hd));
  var R = 0.0;
  var Q = 0.0;
  var Lnext = 0.0;
  for (var n = 0u; n < P.T; n++) {
    let t = P.T - 1u - n;
    let st = (bh * P.T + t) * 2u;
    let L = stats[st] + log(stats[st + 1u]);
    var carry = 0.0;
    if (n > 0u) { carry = exp(L - Lnext); }
    let o = (bh * P.T + t) * P.hd;
    let g = dout[o + c];
    R = fma(carry, R, g);
    Q = fma(carry, Q, g * outp[o + c]);
    var s = 0.0;
    for (var d = 0u; d < P.hd; d++) { s = fma(q[o + d], k[o + d], s); }
    let w = exp(s * scale - L);
    dv[o + c] = w * R;
    escr[o + c] = w * (v[o + c] * R - Q);
    Lnext = L;
  }
}
