// Attention probabilities of the normalised family, one thread per 4 query rows.
//   q, k:    [B, H, T, hd]  (after RoPE, if any)
//   att:     [B, H, T, T]   att[i, j] = phi(x_ij) / norm_i for j <= i, exactly 0 for j > i
//   rowstat: [B, H, T]      exp (MECH 0): logsumexp_j x_ij; softplus, taylor: sum_j phi; sigmoid, relu: row sum
//   x_ij = c_i * s_ij + b_ij; s = q.k (QKNORM: q^.k^, L2-normalised with EPS inside the norm)
// Register tile: a thread owns ROWS = 4 consecutive query rows i0..i0+3 of one head, one
// per lane of a vec4, and walks the keys j ascending, loading each k_j element once for
// the 4 rows (SwiftShader runs every storage load as a per-lane gather; the one-row form
// spent a k load and a private-array load per fma). Each logit is still one fma per d
// ascending from 0, each row's max and sum still run j ascending: the bits of the
// one-row kernel (tests/gpu/attention_probs_tiled.test.ts holds it to them).
// The rows sit in a private array (memory on SwiftShader, whose compiler unrolls nothing);
// at HD = 16, the default model's head, the key loop is written out with the rows in 16
// registers (at load 7-10 here the array form alone took 73-89 ms for a step's 4 calls,
// written out 48-64; docs/engine.md, issue 17).
// Keys j < i0 reach every row; the corner j in (i0, i0+3] only rows i >= j, so stores and
// the max select per lane. Rows past T read row T-1 and store nothing.
// Threads: B*H*ceil(T/4); dispatch (gridX, gridY) workgroups of 64, thread id = gid.x + gid.y * gridX * 64.
// No barriers: barriers and thousands of tiny workgroups are what make a software adapter
// slow. MECH and ALIBI are override constants, so each mechanism compiles to its own kernel.
// att doubles as each row's scratch: the thread re-reads only what it wrote.
// Compiled after shaders/attention_common.wgsl (MECH, ALIBI, QKNORM, LENSCALE, HD, EPS, MAXHD, row_scale, phi).

struct Params { T: u32, hd: u32, H: u32, gridX: u32, invSqrtHd: f32, lnHd: f32, lnTrain: f32, total: u32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read_write> att: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowstat: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

// Rows per thread (PROBS_ROWS in src/kernels/attention.ts); the code below spells out 4.
const ROWS: u32 = 4u;

// Row i (< T) after its logits are in att[ao..ao+i]: phi, its row sum, the l1 normalisation,
// the causal zeros and rowstat, each pass j ascending as in the one-row kernel.
fn finish(i: u32, ao: u32, so: u32, mxIn: f32) {
  let T = P.T;
  if (i >= T) { return; }
  let i1 = f32(i + 1u);
  var mx = mxIn;
  if (MECH != 0u) { mx = 0.0; }
  var sum = 0.0;
  for (var j = 0u; j <= i; j++) {
    let f = phi(att[ao + j] - mx, i1, P.lnTrain);   // softmax: x - row max
    att[ao + j] = f;
    sum += f;
  }
  if (MECH <= LAST_NORMALISED) {
    let inv = 1.0 / sum;
    for (var j = 0u; j <= i; j++) { att[ao + j] = att[ao + j] * inv; }
  }
  for (var j = i + 1u; j < T; j++) { att[ao + j] = 0.0; }
  var st = sum;
  if (MECH == 0u) { st = mx + log(sum); }
  rowstat[so] = st;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  if (id >= P.total) { return; }
  let T = P.T;
  let tiles = (T + ROWS - 1u) / ROWS;
  let bh = id / tiles;
  let i0 = (id % tiles) * ROWS;
  let hd = HD;
  let iv = vec4<u32>(i0, i0 + 1u, i0 + 2u, i0 + 3u);
  let ic = min(iv, vec4<u32>(T - 1u));   // rows past T read row T-1
  let rb = bh * T;
  // The 4 query rows, transposed: qt[d] holds q[i0 + r][d] in lane r.
  var qt: array<vec4<f32>, MAXHD>;
  let qo = (rb + ic) * hd;
  for (var d = 0u; d < HD; d++) { qt[d] = vec4<f32>(q[qo.x + d], q[qo.y + d], q[qo.z + d], q[qo.w + d]); }
  let i1 = vec4<f32>(iv + vec4<u32>(1u));
  let c = vec4<f32>(
    row_scale(i1.x, P.invSqrtHd, P.lnHd, P.lnTrain), row_scale(i1.y, P.invSqrtHd, P.lnHd, P.lnTrain),
    row_scale(i1.z, P.invSqrtHd, P.lnHd, P.lnTrain), row_scale(i1.w, P.invSqrtHd, P.lnHd, P.lnTrain));
  var invNq = vec4<f32>(1.0);
  if (QKNORM != 0u) {
    var ss = vec4<f32>(0.0);
    for (var d = 0u; d < HD; d++) { ss = fma(qt[d], qt[d], ss); }
    invNq = inverseSqrt(ss + vec4<f32>(EPS));
  }
  let slope = alibi_slope(bh % P.H, P.H);
  let ao = (rb + ic) * T;
  let kb = rb * hd;

  // hd = 16 (the default model) keeps the 4 rows in 16 registers (unused otherwise).
  let q0 = qt[0]; let q1 = qt[1]; let q2 = qt[2]; let q3 = qt[3];
  let q4 = qt[4]; let q5 = qt[5]; let q6 = qt[6]; let q7 = qt[7];
  let q8 = qt[8]; let q9 = qt[9]; let q10 = qt[10]; let q11 = qt[11];
  let q12 = qt[12]; let q13 = qt[13]; let q14 = qt[14]; let q15 = qt[15];
  // Pass 1: logits into att, and the row maxima. Keys j < i0 reach every row.
  var mx = vec4<f32>(-3.4e38);
  let jEnd = min(i0 + ROWS, T);
  for (var j = 0u; j < jEnd; j++) {
    let ko = kb + j * hd;
    var s = vec4<f32>(0.0);
    var kk = 0.0;
    if (HD == 16u) {
      // Written out: no private-array loads (kk is dropped by the compiler unless QKNORM uses it).
      let k0 = k[ko + 0u]; s = fma(q0, vec4<f32>(k0), s); kk = fma(k0, k0, kk);
      let k1 = k[ko + 1u]; s = fma(q1, vec4<f32>(k1), s); kk = fma(k1, k1, kk);
      let k2 = k[ko + 2u]; s = fma(q2, vec4<f32>(k2), s); kk = fma(k2, k2, kk);
      let k3 = k[ko + 3u]; s = fma(q3, vec4<f32>(k3), s); kk = fma(k3, k3, kk);
      let k4 = k[ko + 4u]; s = fma(q4, vec4<f32>(k4), s); kk = fma(k4, k4, kk);
      let k5 = k[ko + 5u]; s = fma(q5, vec4<f32>(k5), s); kk = fma(k5, k5, kk);
      let k6 = k[ko + 6u]; s = fma(q6, vec4<f32>(k6), s); kk = fma(k6, k6, kk);
      let k7 = k[ko + 7u]; s = fma(q7, vec4<f32>(k7), s); kk = fma(k7, k7, kk);
      let k8 = k[ko + 8u]; s = fma(q8, vec4<f32>(k8), s); kk = fma(k8, k8, kk);
      let k9 = k[ko + 9u]; s = fma(q9, vec4<f32>(k9), s); kk = fma(k9, k9, kk);
      let k10 = k[ko + 10u]; s = fma(q10, vec4<f32>(k10), s); kk = fma(k10, k10, kk);
      let k11 = k[ko + 11u]; s = fma(q11, vec4<f32>(k11), s); kk = fma(k11, k11, kk);
      let k12 = k[ko + 12u]; s = fma(q12, vec4<f32>(k12), s); kk = fma(k12, k12, kk);
      let k13 = k[ko + 13u]; s = fma(q13, vec4<f32>(k13), s); kk = fma(k13, k13, kk);
      let k14 = k[ko + 14u]; s = fma(q14, vec4<f32>(k14), s); kk = fma(k14, k14, kk);
      let k15 = k[ko + 15u]; s = fma(q15, vec4<f32>(k15), s); kk = fma(k15, k15, kk);
    } else {
      for (var d = 0u; d < HD; d++) {
        let kv = k[ko + d];
        s = fma(qt[d], vec4<f32>(kv), s);
        if (QKNORM != 0u) { kk = fma(kv, kv, kk); }
      }
    }
    if (QKNORM != 0u) { s = s * invNq * vec4<f32>(inverseSqrt(kk + EPS)); }
    var x = c * s;
    if (ALIBI != 0u) { x -= vec4<f32>(slope) * vec4<f32>(iv - vec4<u32>(j)); }
    // The corner: row i0 + r takes key j only when j <= i0 + r (and i0 + r < T).
    let on = (vec4<u32>(j) <= iv) & (iv < vec4<u32>(T));
    if (on.x) { att[ao.x + j] = x.x; }
    if (on.y) { att[ao.y + j] = x.y; }
    if (on.z) { att[ao.z + j] = x.z; }
    if (on.w) { att[ao.w + j] = x.w; }
    mx = select(mx, max(mx, x), on);
  }

  // Passes 2 and 3, row by row.
  finish(iv.x, ao.x, rb + iv.x, mx.x);
  finish(iv.y, ao.y, rb + iv.y, mx.y);
  finish(iv.z, ao.z, rb + iv.z, mx.z);
  finish(iv.w, ao.w, rb + iv.w, mx.w);
}
