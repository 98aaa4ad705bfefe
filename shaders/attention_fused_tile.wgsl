// Third prelude of the register-tiled fused kernels (attention_fused_forward_tiled.wgsl,
// attention_fused_diagnostics_tiled.wgsl), compiled after attention_common.wgsl and
// attention_fused_common.wgsl (q, k, Params, RW). A thread owns 4 consecutive query rows
// of one head and walks their keys once: each k_j (and v_j) it loads serves all 4 rows.
// SwiftShader runs every storage load as a per-lane gather and keeps private arrays in
// memory, so the one-row kernels (one thread a row, the query row in array<f32, MAXHD>)
// were load-bound. Here a row is a Row value (its query as 4 vec4, HD <= 16) and each
// row's sums are its own variables; the compiler unrolls nothing, so the 4 rows are
// written out by hand in each kernel.
// Same bits as the one-row kernels (tests/gpu/attention_fused_tiled.test.ts): per row,
// the same keys j ascending from its own first key, each dot product one fma per d
// ascending, and every weight, rescaling and sum the one-row code's expression. A key
// outside a row's range (the tile's corner, or before a windowed row's start) is
// skipped for that row. Rows past L repeat row L - 1 and store nothing.

// Widest head the tile holds in registers (TILE_MAXHD in src/kernels/attention_fused.ts).
const TILE_MAXHD: u32 = 16u;

struct Row {
  q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>,
  i: u32,        // absolute query position (rI of the one-row code)
  j0: u32,       // first key
  i1: f32,       // keys seen
  c: f32,        // scale c_i
  invNq: f32,    // QKNORM: 1 / |q_i|
  slope: f32,    // ALiBi slope of the head
  kb: u32,       // offset of the head's key (and value) rows
  m: f32,        // softmax: row max of x (0 otherwise), after tile_normaliser
  invZ: f32,     // 1 / sum phi, after tile_normaliser
  rmax: f32,     // re-weighting: max r (0: keep A), after tile_rmax
}

// One key row: its 4 groups and, with QKNORM, 1 / |k_j|.
struct Key { k0: vec4<f32>, k1: vec4<f32>, k2: vec4<f32>, k3: vec4<f32>, kn: f32 }

// Element e of group g exists when 4g + e < HD; a missing one re-reads the row's
// last element (never used: dot4 and the stores skip it by HD, folded as a constant).
fn at(g: u32, e: u32) -> u32 {
  return min(4u * g + e, HD - 1u);
}

fn q4(o: u32, g: u32) -> vec4<f32> {
  return vec4<f32>(q[o + at(g, 0u)], q[o + at(g, 1u)], q[o + at(g, 2u)], q[o + at(g, 3u)]);
}

fn k4(o: u32, g: u32) -> vec4<f32> {
  return vec4<f32>(k[o + at(g, 0u)], k[o + at(g, 1u)], k[o + at(g, 2u)], k[o + at(g, 3u)]);
}

// s + sum_e a_e b_e over group g's elements, one fma per element in order.
fn dot4(s: f32, a: vec4<f32>, b: vec4<f32>, g: u32) -> f32 {
  var t = s;
  if (4u * g < HD) { t = fma(a.x, b.x, t); }
  if (4u * g + 1u < HD) { t = fma(a.y, b.y, t); }
  if (4u * g + 2u < HD) { t = fma(a.z, b.z, t); }
  if (4u * g + 3u < HD) { t = fma(a.w, b.w, t); }
  return t;
}

fn dot16(a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>, a3: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>,
         b2: vec4<f32>, b3: vec4<f32>) -> f32 {
  var s = dot4(0.0, a0, b0, 0u);
  if (HD > 4u) { s = dot4(s, a1, b1, 1u); }
  if (HD > 8u) { s = dot4(s, a2, b2, 2u); }
  if (HD > 12u) { s = dot4(s, a3, b3, 3u); }
  return s;
}

// Row i of head bh (row_begin's arithmetic).
fn tile_row(bh: u32, i: u32) -> Row {
  var r: Row;
  r.i = P.qOff + i;
  var n = r.i + 1u;
  if (P.win != 0u) { n = min(n, P.win); }
  r.j0 = r.i + 1u - n;
  r.i1 = f32(n);
  let qo = (bh * P.L + i) * HD;
  r.q0 = q4(qo, 0u);
  if (HD > 4u) { r.q1 = q4(qo, 1u); }
  if (HD > 8u) { r.q2 = q4(qo, 2u); }
  if (HD > 12u) { r.q3 = q4(qo, 3u); }
  r.c = row_scale(r.i1, P.invSqrtHd, P.lnHd, P.lnTrain);
  r.invNq = 1.0;
  if (QKNORM != 0u) { r.invNq = inverseSqrt(dot16(r.q0, r.q1, r.q2, r.q3, r.q0, r.q1, r.q2, r.q3) + EPS); }
  r.slope = alibi_slope(bh % P.H, P.H);
  r.kb = bh * P.kL * HD;
  r.m = 0.0;
  r.invZ = 1.0;
  r.rmax = 0.0;
  return r;
}

// Key j of the head at kb, loaded once for the tile's rows.
fn tile_key(kb: u32, j: u32) -> Key {
  let o = kb + j * HD;
  var t: Key;
  t.k0 = k4(o, 0u);
  if (HD > 4u) { t.k1 = k4(o, 1u); }
  if (HD > 8u) { t.k2 = k4(o, 2u); }
  if (HD > 12u) { t.k3 = k4(o, 3u); }
  t.kn = 1.0;
  if (QKNORM != 0u) { t.kn = inverseSqrt(dot16(t.k0, t.k1, t.k2, t.k3, t.k0, t.k1, t.k2, t.k3) + EPS); }
  return t;
}

// Whether row r sees key j.
fn sees(r: Row, j: u32) -> bool {
  return j >= r.j0 && j <= r.i;
}

// logit() of the one-row code.
fn tile_logit(r: Row, j: u32, t: Key) -> f32 {
  var s = dot16(r.q0, r.q1, r.q2, r.q3, t.k0, t.k1, t.k2, t.k3);
  if (QKNORM != 0u) { s = s * r.invNq * t.kn; }
  var x = r.c * s;
  if (ALIBI != 0u) { x -= r.slope * f32(r.i - j); }
  return x;
}

// rw_r() of the one-row code.
fn tile_rw_r(r: Row, x: f32) -> f32 {
  let o = select(1.0, 0.0, r.i1 <= 3.0);
  return r.i1 * (phi(x - r.m, r.i1, P.lnTrain) * r.invZ) - o;
}

// weight() and weight_log() of the one-row code.
fn tile_weight(r: Row, x: f32) -> f32 {
  if (RW != 0u && r.rmax > 0.0) {
    let t = tile_rw_r(r, x);
    if (t > 0.0) { return pow(t / r.rmax, P.p); }
    return 0.0;
  }
  return phi(x - r.m, r.i1, P.lnTrain);
}

fn tile_weight_log(r: Row, x: f32) -> vec2<f32> {
  if (RW != 0u && r.rmax > 0.0) {
    let t = tile_rw_r(r, x);
    if (t > 0.0) { let y = t / r.rmax; return vec2<f32>(pow(y, P.p), P.p * log(y)); }
    return vec2<f32>(0.0, 0.0);
  }
  let y = x - r.m;
  let u = phi(y, r.i1, P.lnTrain);
  if (MECH == 0u) { return vec2<f32>(u, y); }
  return vec2<f32>(u, log(u));
}

// row_normaliser(), one key: s = (running max, sum).
fn norm_step(r: Row, j: u32, t: Key, s: ptr<function, vec2<f32>>) {
  if (!sees(r, j)) { return; }
  let x = tile_logit(r, j, t);
  if (MECH == 0u) {
    if (x > (*s).x) { (*s).y *= exp((*s).x - x); (*s).x = x; }
    (*s).y += exp(x - (*s).x);
  } else {
    (*s).y += phi(x, r.i1, P.lnTrain);
  }
}

fn norm_end(r: ptr<function, Row>, s: vec2<f32>) {
  if (MECH == 0u) { (*r).m = s.x; }
  (*r).invZ = 1.0 / s.y;
}

// row_rmax(), one key.
fn rmax_step(r: Row, j: u32, t: Key, m: ptr<function, f32>) {
  if (sees(r, j)) { *m = max(*m, tile_rw_r(r, tile_logit(r, j, t))); }
}

// row_prepare() for the tile's rows: keys lo..hi cover every row's.
fn tile_prepare(r0: ptr<function, Row>, r1: ptr<function, Row>, r2: ptr<function, Row>, r3: ptr<function, Row>) {
  let lo = (*r0).j0;
  let hi = (*r3).i;
  if (MECH == 0u || RW != 0u) {
    var s0 = vec2<f32>(-3.4e38, 0.0);
    var s1 = s0;
    var s2 = s0;
    var s3 = s0;
    for (var j = lo; j <= hi; j++) {
      let t = tile_key((*r0).kb, j);
      norm_step(*r0, j, t, &s0);
      norm_step(*r1, j, t, &s1);
      norm_step(*r2, j, t, &s2);
      norm_step(*r3, j, t, &s3);
    }
    norm_end(r0, s0);
    norm_end(r1, s1);
    norm_end(r2, s2);
    norm_end(r3, s3);
  }
  if (RW != 0u) {
    var m0 = 0.0;
    var m1 = 0.0;
    var m2 = 0.0;
    var m3 = 0.0;
    for (var j = lo; j <= hi; j++) {
      let t = tile_key((*r0).kb, j);
      rmax_step(*r0, j, t, &m0);
      rmax_step(*r1, j, t, &m1);
      rmax_step(*r2, j, t, &m2);
      rmax_step(*r3, j, t, &m3);
    }
    (*r0).rmax = m0;
    (*r1).rmax = m1;
    (*r2).rmax = m2;
    (*r3).rmax = m3;
  }
}
