// Second prelude of the memory-bounded (fused) attention kernels for evaluation:
// attention_fused_forward.wgsl, attention_fused_diagnostics.wgsl and
// attention_fused_map.wgsl are each compiled as attention_common.wgsl (MECH, ALIBI,
// HD, EPS, MAXHD, alibi_slope, phi), then this text, then their own
// (src/kernels/attention_fused.ts joins them), so all three see the same weights.
//   q, k: [B, H, L, hd] read (bindings 0, 1; after RoPE, if any)
//   P:    uniform Params, declared by each kernel at its own binding
// Nothing [L, L] exists: a row's weights are recomputed from q and k on each
// pass over its keys, one thread per row, keys in order (fixed-order sums, no
// barriers). The register-tiled forward and diagnostics (attention_fused_tile.wgsl,
// 4 rows a thread) restate this file's row functions for a Row value: change both.
// phi is the training kernel's (both from attention_common.wgsl) and the logit is
// attention_probs_forward.wgsl's code, so fused and unfused weights agree to rounding.
//
// The weight u_j of key j <= i that a kernel uses is unnormalised; A_ij = u_j / sum u
// for softmax/lssa/taylor, A_ij = u_j for sigmoid/relu (raw weights):
//   RW = 0: u_j = phi(x_ij - m_i)  (m_i = row max for softmax, else 0)
//   RW = 1: A_ij = phi(x_ij - m_i) / Z_i (pass 1: row_normaliser), r_j = i1 A_ij - o_i,
//           rmax = max(0, max_j r_j) (pass 2: row_rmax); u_j = (r_j / rmax)^p if r_j > 0
//           else 0, and a row with rmax = 0 keeps A (u_j = phi(x_ij - m_i)).

override RW: u32 = 0u;    // re-weighting (normalised mechanisms only; exponent in P.p)

// L: query rows (and, in evaluation, keys) per head; H: heads; bh: the map's head (b * H + h); R: the map's grid;
// p: re-weighting exponent; win: windowed evaluation, each query sees only its last
// win keys (0: every key). With a window, every term that counts a row's keys (lssa's
// ln(i), relu's 1/i, re-weighting's i A_ij - o_i) counts the keys the row sees,
// min(i, win): a windowed row is computed as a row of a length-win training window.
// qOff, kL: incremental sampling (src/sample/incremental.ts) runs one query row at
// absolute position qOff over a key/value cache of kL rows per head; evaluation sets
// qOff = 0 and kL = L, so its rows, keys and arithmetic are exactly as before.
struct Params {
  L: u32, H: u32, bh: u32, R: u32, invSqrtHd: f32, lnHd: f32, lnTrain: f32, p: f32,
  win: u32, qOff: u32, kL: u32, _p2: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;

// The current row, set by row_begin (private: per invocation).
var<private> qr: array<f32, MAXHD>;
var<private> rI: u32;       // 0-based (absolute) query position
var<private> rJ0: u32;      // the row's first key: 0, or i + 1 - win when windowed
var<private> rI1: f32;      // the spec's 1-based position: the number of keys the row sees
var<private> rC: f32;       // scale c_i
var<private> rInvNq: f32;   // QKNORM: 1 / |q_i|
var<private> rSlope: f32;   // ALiBi slope of the head
var<private> rKb: u32;      // offset of the head's key rows (and value rows)
var<private> rM: f32;       // softmax: the row max of x (0 otherwise)
var<private> rInvZ: f32;    // 1 / sum_j phi(x_j - rM), after row_normaliser
var<private> rRmax: f32;    // re-weighting: max_j r_j, after row_rmax (0: keep A)

// i: the query's row in q (its position is qOff + i).
fn row_begin(bh: u32, i: u32) {
  rI = P.qOff + i;
  var n = rI + 1u;
  if (P.win != 0u) { n = min(n, P.win); }
  rJ0 = rI + 1u - n;
  rI1 = f32(n);
  let qo = (bh * P.L + i) * HD;
  for (var d = 0u; d < HD; d++) { qr[d] = q[qo + d]; }
  rC = row_scale(rI1, P.invSqrtHd, P.lnHd, P.lnTrain);
  rInvNq = 1.0;
  if (QKNORM != 0u) {
    var ss = 0.0;
    for (var d = 0u; d < HD; d++) { ss = fma(qr[d], qr[d], ss); }
    rInvNq = inverseSqrt(ss + EPS);
  }
  rSlope = alibi_slope(bh % P.H, P.H);
  rKb = bh * P.kL * HD;
  rM = 0.0;
  rInvZ = 1.0;
  rRmax = 0.0;
}

// x_ij = c_i * s_ij + b_ij, as in attention_probs_forward.wgsl.
fn logit(j: u32) -> f32 {
  let ko = rKb + j * HD;
  var s = 0.0;
  var kk = 0.0;
  for (var d = 0u; d < HD; d++) {
    let kv = k[ko + d];
    s = fma(qr[d], kv, s);
    if (QKNORM != 0u) { kk = fma(kv, kv, kk); }
  }
  if (QKNORM != 0u) { s = s * rInvNq * inverseSqrt(kk + EPS); }
  var x = rC * s;
  if (ALIBI != 0u) { x -= rSlope * f32(rI - j); }
  return x;
}

// phi (attention_common.wgsl) at the current row.
fn phi_row(x: f32) -> f32 {
  return phi(x, rI1, P.lnTrain);
}

// Pass 1 (normalised mechanisms): rM and rInvZ. softmax keeps a running max and
// rescales its sum when the max moves (online softmax), so one sweep suffices.
fn row_normaliser() {
  var m = -3.4e38;
  var z = 0.0;
  for (var j = rJ0; j <= rI; j++) {
    let x = logit(j);
    if (MECH == 0u) {
      if (x > m) { z *= exp(m - x); m = x; }
      z += exp(x - m);
    } else {
      z += phi_row(x);
    }
  }
  if (MECH == 0u) { rM = m; }
  rInvZ = 1.0 / z;
}

// r_ij = i1 * A_ij - o_i, A_ij rounded as the unfused probs kernel does (phi * (1 / Z)).
fn rw_r(x: f32) -> f32 {
  let o = select(1.0, 0.0, rI1 <= 3.0);
  return rI1 * (phi_row(x - rM) * rInvZ) - o;
}

// Pass 2 (re-weighting): rRmax = max(0, max_j r_j).
fn row_rmax() {
  var m = 0.0;
  for (var j = rJ0; j <= rI; j++) { m = max(m, rw_r(logit(j))); }
  rRmax = m;
}

// Sets up row i of head bh and runs the passes its weights need before the last one.
// Unnormalised lssa/taylor weights need no pass: their sum comes with the last one.
fn row_prepare(bh: u32, i: u32) {
  row_begin(bh, i);
  if (MECH == 0u || RW != 0u) { row_normaliser(); }
  if (RW != 0u) { row_rmax(); }
}

// (u_j, log u_j) of a logit x (log only meaningful when u_j > 0). pow(0, p) is
// undefined in WGSL, hence the r > 0 guard.
fn weight_log(x: f32) -> vec2<f32> {
  if (RW != 0u && rRmax > 0.0) {
    let r = rw_r(x);
    if (r > 0.0) { let t = r / rRmax; return vec2<f32>(pow(t, P.p), P.p * log(t)); }
    return vec2<f32>(0.0, 0.0);
  }
  let y = x - rM;
  let u = phi_row(y);
  if (MECH == 0u) { return vec2<f32>(u, y); }   // log exp(y) = y, exact even where exp underflows
  return vec2<f32>(u, log(u));
}

fn weight(x: f32) -> f32 {
  if (RW != 0u && rRmax > 0.0) {
    let r = rw_r(x);
    if (r > 0.0) { return pow(r / rRmax, P.p); }
    return 0.0;
  }
  return phi_row(x - rM);
}

// A row's unnormalised diagnostics sums over its keys (attention_fused_diagnostics*.wgsl):
// sum u, sum u log u, sink, local, distance.
struct Stats { z: f32, ulu: f32, sink: f32, near: f32, dist: f32 }

// The four statistics of a row (entropy, sink, local, distance) from its sums: normalised
// mechanisms divide by Z, with -sum A log A = log Z - (sum u log u) / Z.
fn diag_finish(s: Stats) -> vec4<f32> {
  if (MECH <= LAST_NORMALISED) {
    let inv = 1.0 / s.z;
    return vec4<f32>(log(s.z) - s.ulu * inv, s.sink * inv, s.near * inv, s.dist * inv);
  }
  return vec4<f32>(-s.ulu, s.sink, s.near, s.dist);
}
