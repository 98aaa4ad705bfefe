// Attention probabilities of the normalised family, one thread per query row.
//   q, k:    [B, H, T, hd]  (after RoPE, if any)
//   att:     [B, H, T, T]   att[i, j] = phi(x_ij) / norm_i for j <= i, exactly 0 for j > i
//   rowstat: [B, H, T]      exp (MECH 0): logsumexp_j x_ij; softplus, taylor: sum_j phi; sigmoid, relu: row sum
//   x_ij = c_i * s_ij + b_ij; s = q.k (QKNORM: q^.k^, L2-normalised with EPS inside the norm)
// Dispatch: (ceil(T/64), B*H) workgroups of 64; thread (i, bh) walks its row's keys
// j <= i in order (deterministic, no barriers: barriers and thousands of tiny
// workgroups are what make a software adapter slow). MECH and ALIBI are override
// constants, so each mechanism compiles to its own straight-line kernel.
// att doubles as the row's scratch: the thread re-reads only what it wrote.
// Compiled after shaders/attention_common.wgsl (MECH, ALIBI, QKNORM, LENSCALE, HD, EPS, MAXHD, row_scale, phi).

struct Params { T: u32, hd: u32, H: u32, _pad: u32, invSqrtHd: f32, lnHd: f32, lnTrain: f32, _pad2: f32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read_write> att: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowstat: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let bh = gid.y;
  let T = P.T;
  if (i >= T) { return; }
  let hd = HD;
  let qo = (bh * T + i) * hd;
  let i1 = f32(i + 1u);
  // The query row, held by the thread for its whole row of keys.
  var qr: array<f32, MAXHD>;
  for (var d = 0u; d < HD; d++) { qr[d] = q[qo + d]; }
  let c = row_scale(i1, P.invSqrtHd, P.lnHd, P.lnTrain);
  var invNq = 1.0;
  if (QKNORM != 0u) {
    var ss = 0.0;
    for (var d = 0u; d < HD; d++) { ss = fma(qr[d], qr[d], ss); }
    invNq = inverseSqrt(ss + EPS);
  }
  let slope = alibi_slope(bh % P.H, P.H);
  let ao = (bh * T + i) * T;
  let kb = bh * T * hd;

  // Pass 1: logits into att, and the row max.
  var mx = -3.4e38;
  for (var j = 0u; j <= i; j++) {
    let ko = kb + j * hd;
    var s = 0.0;
    var kk = 0.0;
    for (var d = 0u; d < HD; d++) {
      let kv = k[ko + d];
      s = fma(qr[d], kv, s);
      if (QKNORM != 0u) { kk = fma(kv, kv, kk); }
    }
    if (QKNORM != 0u) { s = s * invNq * inverseSqrt(kk + EPS); }
    var x = c * s;
    if (ALIBI != 0u) { x -= slope * f32(i - j); }
    att[ao + j] = x;
    mx = max(mx, x);
  }
  if (MECH != 0u) { mx = 0.0; }

  // Pass 2: phi and its row sum.
  var sum = 0.0;
  for (var j = 0u; j <= i; j++) {
    let f = phi(att[ao + j] - mx, i1, P.lnTrain);   // softmax: x - row max
    att[ao + j] = f;
    sum += f;
  }

  // Pass 3: l1 normalisation (normalised mechanisms) and the causal zeros.
  if (MECH <= LAST_NORMALISED) {
    let inv = 1.0 / sum;
    for (var j = 0u; j <= i; j++) { att[ao + j] = att[ao + j] * inv; }
  }
  for (var j = i + 1u; j < T; j++) { att[ao + j] = 0.0; }
  var st = sum;
  if (MECH == 0u) { st = mx + log(sum); }
  rowstat[bh * T + i] = st;
}
