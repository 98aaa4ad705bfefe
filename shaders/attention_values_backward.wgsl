// dA of O = A.V: datt[i, j] = dout_i . v_j for j <= i, exactly 0 for j > i.
//   dout, v: [B, H, T, hd]  (doutMerged = 1: dout is [B, T, H*hd], the heads merged, as the
//            output projection's input gradient leaves it; only its addresses change)
//   datt:    [B, H, T, T]
// (dV = A^T.dO is attention_values_forward.wgsl with trans = 1.)
// One thread per (row i, block of 4 columns j0..j0+3): each dout_i element is loaded
// once for the four dot products, each summed over d in order (deterministic). No
// workgroup memory and no barriers (those dominate on a software adapter); blocks
// wholly above the diagonal only write zeros.
// Threads: B*H*T*JB, JB = ceil(T/4); dispatch (gridX, gridY) workgroups of 64,
// thread id = gid.x + gid.y * gridX * 64.
// Compiled after shaders/attention_common.wgsl, as every attention kernel (it uses none of it).

struct Params { T: u32, hd: u32, jb: u32, gridX: u32, total: u32, H: u32, doutMerged: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> datt: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  if (id >= P.total) { return; }
  let T = P.T;
  let hd = P.hd;
  let row = id / P.jb;            // bh * T + i
  let j0 = (id % P.jb) * 4u;
  let i = row % T;
  let vb = (row - i) * hd;        // bh * T * hd
  let bh = row / T;
  let io = select(row * hd, (((bh / P.H) * T + i) * P.H + bh % P.H) * hd, P.doutMerged != 0u);
  var acc = vec4<f32>(0.0);
  if (j0 <= i) {
    // Columns past the diagonal are clamped to it: in-bounds reads, results dropped.
    let o0 = vb + j0 * hd;
    let o1 = vb + min(j0 + 1u, i) * hd;
    let o2 = vb + min(j0 + 2u, i) * hd;
    let o3 = vb + min(j0 + 3u, i) * hd;
    for (var d = 0u; d < hd; d++) {
      let g = dout[io + d];
      acc = fma(vec4<f32>(g), vec4<f32>(v[o0 + d], v[o1 + d], v[o2 + d], v[o3 + d]), acc);
    }
  }
  let ao = row * T;
  for (var e = 0u; e < 4u; e++) {
    let j = j0 + e;
    if (j < T) { datt[ao + j] = select(0.0, acc[e], j <= i); }
  }
}
