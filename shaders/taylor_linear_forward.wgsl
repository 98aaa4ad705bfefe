// taylor attention, linear-time causal form (forward only; math in src/reference/taylor_linear.ts).
//   q, k: [B, H, T, hd] read   (after RoPE; hd <= 16)
//   v:    [B, H, T, hd] read
//   out:  [B, H, T, hd] write  out_i = f(q_i)^T S_i / (f(q_i) . z_i)
//   P:    uniform { BH, T, hd, gridX (workgroups along x) }
// f(x) = [1, x / hd^(1/4), vec(x x^T) / (sqrt(2) sqrt(hd))], so f(q) . f(k) = 1 + s + s^2/2
// with s = q . k / sqrt(hd). x x^T is symmetric, so only its hd (hd+1) / 2 entries
// a <= b are kept, the off-diagonal ones counted twice on the key side:
// F' = 1 + hd + hd (hd+1) / 2 <= 153 features, the same dot products.
// One thread per (b, h, group of 4 output channels d0..d0+3), walking t in order: it
// keeps those 4 columns of S = sum f(k_j) v_j^T (a vec4 per feature) and, redundantly
// (the same in every thread of the head), the normaliser z = sum f(k_j) in private arrays. No cross-thread traffic and
// no
// barriers (a per-step barrier over T steps is what made this slow on a software
// adapter); fixed-order sums, so the result is bitwise reproducible.
// Dispatch: (gridX, gridY) workgroups of 64; thread id = gid.x + gid.y * gridX * 64.

struct Params { BH: u32, T: u32, hd: u32, gridX: u32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const HD: u32 = 16u;                          // max head width
const FS: u32 = 1u + HD + HD * (HD + 1u) / 2u; // 153 symmetric features

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  let hd = P.hd;
  let G = (hd + 3u) / 4u;
  if (id >= P.BH * G) { return; }
  let bh = id / G;
  let d0 = (id % G) * 4u;
  let last = min(hd - d0, 4u) - 1u; // channels past hd re-read channel d0 + last, never stored
  let c1 = pow(f32(hd), -0.25);
  let c2 = inverseSqrt(2.0 * f32(hd));

  var S: array<vec4<f32>, FS>;
  var z: array<f32, FS>;
  var qr: array<f32, HD>;
  var kr: array<f32, HD>;

  for (var t = 0u; t < P.T; t++) {
    let o = (bh * P.T + t) * hd;
    for (var a = 0u; a < hd; a++) {
      qr[a] = q[o + a];
      kr[a] = k[o + a];
    }
    let vo = o + d0;
    let vt = vec4<f32>(v[vo], v[vo + min(1u, last)], v[vo + min(2u, last)], v[vo + min(3u, last)]);

    // Feature 0 is the constant 1.
    z[0] += 1.0;
    S[0] += vt;
    var num = S[0];
    var den = z[0];
    for (var a = 0u; a < hd; a++) {
      let fk = kr[a] * c1;
      let fq = qr[a] * c1;
      let f = 1u + a;
      let zf = z[f] + fk;
      let sf = fma(vec4<f32>(fk), vt, S[f]);
      z[f] = zf;
      S[f] = sf;
      num = fma(vec4<f32>(fq), sf, num);
      den = fma(fq, zf, den);
    }
    var f = 1u + hd;
    for (var a = 0u; a < hd; a++) {
      let ka = kr[a] * c2;
      let qa = qr[a] * c2;
      for (var b = a; b < hd; b++) {
        let fk = select(2.0, 1.0, a == b) * ka * kr[b];
        let fq = qa * qr[b];
        let zf = z[f] + fk;
        let sf = fma(vec4<f32>(fk), vt, S[f]);
        z[f] = zf;
        S[f] = sf;
        num = fma(vec4<f32>(fq), sf, num);
        den = fma(fq, zf, den);
        f++;
      }
    }
    let r = num / den;
    for (var e = 0u; e <= last; e++) { out[o + d0 + e] = r[e]; }
  }
}
