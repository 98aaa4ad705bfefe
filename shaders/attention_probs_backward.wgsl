// Backward of attention_probs_forward up to the logits, one thread per query row.
//   datt, att: [B, H, T, T]  (only j <= i is read)
//   rowstat:   [B, H, T]     as written by the forward (softplus, taylor phi: sum_j phi)
//   q, k:      [B, H, T, hd] (after RoPE)
//   ds:        [B, H, T, T]  ds[i, j] = dL / d(q_i . k_j) for j <= i, the vector norms of
//                            QKNORM held fixed (folded in as 1/(|q_i| |k_j|)); j > i not written.
// dq = ds . k and dk = ds^T . q (plus the normalisation's projection for QKNORM) are
// done by attention_values_forward.wgsl, the causal row-mix kernel.
// Dispatch: (ceil(T/64), B*H) workgroups of 64, thread (i, bh) walks j <= i in order
// (no barriers, deterministic). Override constants as in the forward.
//   normalised: dx_ij = phi'(x_ij) / S_i * (datt_ij - D_i), D_i = sum_j att_ij datt_ij
//   otherwise:  dx_ij = phi'(x_ij) * datt_ij
// exp, sigmoid and relu get phi' from att itself; softplus and taylor recompute x.
// Compiled after shaders/attention_common.wgsl (MECH, ALIBI, QKNORM, LENSCALE, HD, EPS, MAXHD, row_scale).

struct Params { T: u32, hd: u32, H: u32, _pad: u32, invSqrtHd: f32, lnHd: f32, lnTrain: f32, _pad2: f32 }

@group(0) @binding(0) var<storage, read> datt: array<f32>;
@group(0) @binding(1) var<storage, read> att: array<f32>;
@group(0) @binding(2) var<storage, read> rowstat: array<f32>;
@group(0) @binding(3) var<storage, read> q: array<f32>;
@group(0) @binding(4) var<storage, read> k: array<f32>;
@group(0) @binding(5) var<storage, read_write> ds: array<f32>;
@group(0) @binding(6) var<uniform> P: Params;

// x must be recomputed for softplus' and taylor's phi', and q, k norms for QKNORM's fold.
override RECOMPUTE: bool = MECH == 1u || MECH == 2u || QKNORM != 0u; // derived, never set from the host

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let bh = gid.y;
  let T = P.T;
  if (i >= T) { return; }
  let hd = HD;
  let ao = (bh * T + i) * T;
  let qo = (bh * T + i) * hd;
  let i1 = f32(i + 1u);

  var D = 0.0;
  if (MECH <= LAST_NORMALISED) {
    for (var j = 0u; j <= i; j++) { D = fma(att[ao + j], datt[ao + j], D); }
  }

  // The query row, held by the thread for its whole row of keys.
  var qr: array<f32, MAXHD>;
  if (RECOMPUTE) { for (var d = 0u; d < HD; d++) { qr[d] = q[qo + d]; } }
  let c = row_scale(i1, P.invSqrtHd, P.lnHd, P.lnTrain);
  var invNq = 1.0;
  if (QKNORM != 0u) {
    var ss = 0.0;
    for (var d = 0u; d < HD; d++) { ss = fma(qr[d], qr[d], ss); }
    invNq = inverseSqrt(ss + EPS);
  }
  let invS = 1.0 / rowstat[bh * T + i];
  let slope = alibi_slope(bh % P.H, P.H);
  let kb = bh * T * hd;

  for (var j = 0u; j <= i; j++) {
    let a = att[ao + j];
    let g = datt[ao + j];
    var x = 0.0;
    var fold = 1.0; // QKNORM: 1 / (|q_i| |k_j|)
    if (RECOMPUTE) {
      let ko = kb + j * hd;
      var s = 0.0;
      var kk = 0.0;
      for (var d = 0u; d < HD; d++) {
        let kv = k[ko + d];
        s = fma(qr[d], kv, s);
        if (QKNORM != 0u) { kk = fma(kv, kv, kk); }
      }
      if (QKNORM != 0u) { fold = invNq * inverseSqrt(kk + EPS); s = s * fold; }
      x = c * s;
      if (ALIBI != 0u) { x -= slope * f32(i - j); }
    }
    var dx = 0.0;
    if (MECH == 0u) {
      dx = a * (g - D);
    } else if (MECH == 1u) {                             // softplus' = sigmoid, stable
      let e = exp(-abs(x));
      dx = select(e, 1.0, x >= 0.0) / (1.0 + e) * invS * (g - D);
    } else if (MECH == 2u) {                             // taylor
      dx = (1.0 + x) * invS * (g - D);
    } else if (MECH == 3u) {
      dx = g * a * (1.0 - a);
    } else {
      dx = select(0.0, g / i1, a > 0.0);
    }
    ds[ao + j] = dx * c * fold;
  }
}
