// dA of O = A.V: datt[i, j] = dout_i . v_j for j <= i, exactly 0 for j > i.
//   dout, v: [B, H, T, hd]
//   datt:    [B, H, T, T]
// (dV = A^T.dO is attention_values_forward.wgsl with trans = 1.)
// Tiled: a 16x16 workgroup computes a 16x16 tile of datt, staging 16-wide slices
// of hd of the tile's dout rows and v rows in workgroup memory. Tiles wholly
// above the diagonal only write zeros. Dispatch: (ceil(T/16), ceil(T/16), B*H).

struct Params { T: u32, hd: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> datt: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const TS: u32 = 16u;
var<workgroup> As: array<f32, 256>; // As[row * TS + d]: dout rows i0..i0+15
var<workgroup> Bs: array<f32, 256>; // Bs[row * TS + d]: v rows j0..j0+15

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let T = P.T;
  let hd = P.hd;
  let bh = wg.z;
  let i0 = wg.y * TS;
  let j0 = wg.x * TS;
  let i = i0 + lid.y;
  let j = j0 + lid.x;
  let base = bh * T * hd;
  var acc = 0.0;
  if (j0 <= i0 + TS - 1u) {
    for (var d0 = 0u; d0 < hd; d0 += TS) {
      // Thread (y, x) stages element d0 + x of row y of both tiles.
      let d = d0 + lid.x;
      let ra = i0 + lid.y;
      let rb = j0 + lid.y;
      var va = 0.0;
      var vb = 0.0;
      if (d < hd && ra < T) { va = dout[base + ra * hd + d]; }
      if (d < hd && rb < T) { vb = v[base + rb * hd + d]; }
      As[lid.y * TS + lid.x] = va;
      Bs[lid.y * TS + lid.x] = vb;
      workgroupBarrier();
      for (var e = 0u; e < TS; e++) { acc = fma(As[lid.y * TS + e], Bs[lid.x * TS + e], acc); }
      workgroupBarrier();
    }
  }
  if (i < T && j < T) {
    datt[(bh * T + i) * T + j] = select(0.0, acc, j <= i);
  }
}
