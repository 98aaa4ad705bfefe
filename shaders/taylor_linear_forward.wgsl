// taylor attention, linear-time causal form (forward only; math in src/reference/taylor_linear.ts).
//   q, k: [B, H, T, hd] read   (after RoPE; hd <= 16)
//   v:    [B, H, T, hd] read
//   out:  [B, H, T, hd] write  out_i = f(q_i)^T S_i / (f(q_i) . z_i)
//   P:    uniform { BH, T, hd, gridX }
// f(x) = [1, x / hd^(1/4), vec(x x^T) / (sqrt(2) sqrt(hd))], F = 1 + hd + hd^2
// <= 273, so f(q) . f(k) = 1 + s + s^2/2 with s = q . k / sqrt(hd).
// One workgroup of 128 threads per (b, h), walking t in order. Thread l owns
// features l, l+128, l+256 and keeps their rows of the running sums
// S = sum f(k_j) v_j^T (FPT x hd) and z = sum f(k_j) in registers, so the
// state never leaves the chip. Per step the hd+1 dot products over F are
// per-thread partials, then summed over the 128 threads in thread order by
// hd+1 threads (fixed order: bitwise reproducible).
// Workgroup memory: (16+1)*128 + 3*16 + 17 floats = 8.9 KB.

struct Params { BH: u32, T: u32, hd: u32, gridX: u32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 128u;
const HD: u32 = 16u; // max head width
const FPT: u32 = 3u; // features per thread: 3 * 128 >= 1 + 16 + 256

var<workgroup> sq: array<f32, HD>;
var<workgroup> sk: array<f32, HD>;
var<workgroup> sv: array<f32, HD>;
var<workgroup> red: array<f32, (HD + 1u) * WG>; // [component][thread]
var<workgroup> res: array<f32, HD + 1u>;

fn feature(x: ptr<workgroup, array<f32, HD>>, f: u32, hd: u32, c1: f32, c2: f32) -> f32 {
  if (f == 0u) { return 1.0; }
  if (f <= hd) { return (*x)[f - 1u] * c1; }
  let idx = f - 1u - hd;
  return (*x)[idx / hd] * (*x)[idx % hd] * c2;
}

@compute @workgroup_size(128, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let bh = wg.x + wg.y * P.gridX;
  if (bh >= P.BH) { return; } // uniform per workgroup
  let hd = P.hd;
  let F = 1u + hd + hd * hd;
  let c1 = pow(f32(hd), -0.25);
  let c2 = inverseSqrt(2.0 * f32(hd));

  var S: array<f32, FPT * HD>; // [FPT][HD]
  var z: array<f32, FPT>;
  for (var n = 0u; n < FPT * HD; n++) { S[n] = 0.0; }
  for (var n = 0u; n < FPT; n++) { z[n] = 0.0; }

  for (var t = 0u; t < P.T; t++) {
    let o = (bh * P.T + t) * hd;
    if (lid < hd) {
      sq[lid] = q[o + lid];
      sk[lid] = k[o + lid];
      sv[lid] = v[o + lid];
    }
    workgroupBarrier();

    var part: array<f32, HD + 1u>; // [HD] numerator partials, then the denominator
    for (var d = 0u; d <= HD; d++) { part[d] = 0.0; }
    for (var n = 0u; n < FPT; n++) {
      let f = lid + n * WG;
      if (f >= F) { break; }
      let fk = feature(&sk, f, hd, c1, c2);
      let fq = feature(&sq, f, hd, c1, c2);
      z[n] += fk;
      part[HD] = fma(fq, z[n], part[HD]);
      for (var d = 0u; d < hd; d++) {
        let sfd = fma(fk, sv[d], S[n * HD + d]);
        S[n * HD + d] = sfd;
        part[d] = fma(fq, sfd, part[d]);
      }
    }
    for (var d = 0u; d < hd; d++) { red[d * WG + lid] = part[d]; }
    red[hd * WG + lid] = part[HD];
    workgroupBarrier();

    if (lid <= hd) {
      var acc = 0.0;
      for (var l = 0u; l < WG; l++) { acc += red[lid * WG + l]; }
      res[lid] = acc;
    }
    workgroupBarrier();

    if (lid < hd) { out[o + lid] = res[lid] / res[hd]; }
  }
}
