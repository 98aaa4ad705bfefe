// Attention probabilities of the normalised family, one query row per workgroup.
//   q, k:    [B, H, T, hd]  (after RoPE, if any)
//   att:     [B, H, T, T]   att[i, j] = phi(x_ij) / norm_i for j <= i, exactly 0 for j > i
//   rowstat: [B, H, T]      softmax: logsumexp_j x_ij; lssa, taylor: sum_j phi; sigmoid, relu: row sum
//   x_ij = c_i * s_ij + b_ij; s = q.k (lssa: q^.k^, L2-normalised with EPS inside the norm)
// Dispatch: (T, B*H). MECH and ALIBI are override constants, so each mechanism
// compiles to its own straight-line kernel (pipelines are cached per constants).
// att doubles as the row's scratch: each thread only re-reads the columns it
// wrote itself, so no barrier is needed between the passes over it.

override MECH: u32 = 0u;  // 0 softmax, 1 lssa, 2 taylor, 3 sigmoid, 4 relu
override ALIBI: u32 = 0u;

struct Params { T: u32, hd: u32, H: u32, _pad: u32, invSqrtHd: f32, lnHd: f32, lnTrain: f32, _pad2: f32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read_write> att: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowstat: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 64u;
const MAXHD: u32 = 256u;
const EPS: f32 = 1e-6;
var<workgroup> qs: array<f32, MAXHD>;
var<workgroup> red: array<f32, WG>;

// Fixed-order tree reductions over the 64 threads (deterministic).
fn reduce_max(tid: u32, v: f32) -> f32 {
  red[tid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (tid < s) { red[tid] = max(red[tid], red[tid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn reduce_sum(tid: u32, v: f32) -> f32 {
  red[tid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (tid < s) { red[tid] = red[tid] + red[tid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

// log(1 + u) for u in [0, 1], accurate for tiny u so softplus(x << 0) stays > 0.
fn log1p_small(u: f32) -> f32 {
  if (u < 1e-4) { return u * (1.0 - 0.5 * u); }
  return log(1.0 + u);
}

fn phi(x: f32, i1: f32) -> f32 {
  switch MECH {
    case 0u: { return exp(x); }                                      // x already has the row max subtracted
    case 1u: { return max(x, 0.0) + log1p_small(exp(-abs(x))); }     // softplus, stable form
    case 2u: { return 1.0 + x + 0.5 * x * x; }
    case 3u: { let y = x - P.lnTrain; let e = exp(-abs(y)); return select(e, 1.0, y >= 0.0) / (1.0 + e); }
    default: { return max(x, 0.0) / i1; }
  }
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = wg.x;
  let bh = wg.y;
  let tid = lid.x;
  let T = P.T;
  let hd = P.hd;
  let qo = (bh * T + i) * hd;
  for (var d = tid; d < hd; d += WG) { qs[d] = q[qo + d]; }
  workgroupBarrier();

  let i1 = f32(i + 1u);
  var c = P.invSqrtHd;
  var invNq = 1.0;
  if (MECH == 1u) {
    var ss = 0.0;
    for (var d = tid; d < hd; d += WG) { ss += qs[d] * qs[d]; }
    invNq = inverseSqrt(reduce_sum(tid, ss) + EPS);
    c = P.lnHd * log(i1);
  }
  let slope = exp2(-8.0 * f32(bh % P.H + 1u) / f32(P.H));
  let ao = (bh * T + i) * T;
  let kb = bh * T * hd;

  // Pass 1: logits into att, and the row max.
  var mx = -3.4e38;
  for (var j = tid; j <= i; j += WG) {
    let ko = kb + j * hd;
    var s = 0.0;
    var kk = 0.0;
    for (var d = 0u; d < hd; d++) {
      let kv = k[ko + d];
      s = fma(qs[d], kv, s);
      if (MECH == 1u) { kk = fma(kv, kv, kk); }
    }
    if (MECH == 1u) { s = s * invNq * inverseSqrt(kk + EPS); }
    var x = c * s;
    if (ALIBI != 0u) { x -= slope * f32(i - j); }
    att[ao + j] = x;
    mx = max(mx, x);
  }
  if (MECH == 0u) { mx = reduce_max(tid, mx); } else { mx = 0.0; }

  // Pass 2: phi and its row sum.
  var sum = 0.0;
  for (var j = tid; j <= i; j += WG) {
    let f = phi(att[ao + j] - mx, i1);
    att[ao + j] = f;
    sum += f;
  }
  sum = reduce_sum(tid, sum);

  // Pass 3: l1 normalisation (normalised mechanisms) and the causal zeros.
  if (MECH <= 2u) {
    let inv = 1.0 / sum;
    for (var j = tid; j <= i; j += WG) { att[ao + j] = att[ao + j] * inv; }
  }
  for (var j = i + 1u + tid; j < T; j += WG) { att[ao + j] = 0.0; }
  if (tid == 0u) {
    var st = sum;
    if (MECH == 0u) { st = mx + log(sum); }
    rowstat[bh * T + i] = st;
  }
}
