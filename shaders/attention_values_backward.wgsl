// dA of O = A.V: datt[i, j] = dout_i . v_j for j <= i, exactly 0 for j > i.
//   dout, v: [B, H, T, hd]  (doutMerged = 1: dout is [B, T, H*hd], the heads merged, as the
//            output projection's input gradient leaves it; only its addresses change)
//   datt:    [B, H, T, T]
// (dV = A^T.dO is attention_values_forward.wgsl with trans = 1.)
// Register tile: a thread computes ROWS = 8 rows i0.. x 8 columns j0.. (16 vec4 accumulators,
// lanes = columns), so each dout_i element it loads serves 8 columns and each v_j element
// 8 rows (SwiftShader runs every load as a per-lane gather; the one-row form, one row x 4
// columns a thread, spent 5 loads per 4 fmas). Each output is still one fma per d ascending
// from 0, as that form did: the same bits (tests/gpu/attention_probs_tiled.test.ts).
// Tiles are aligned (i0, j0 multiples of 8): those above the diagonal (j0 > i0) only write
// zeros, the diagonal one computes its upper corner and stores zeros there. Rows and
// columns past T read row T-1 and store nothing. No workgroup memory and no barriers
// (those dominate on a software adapter), and its compiler unrolls nothing: the
// accumulators are written out by hand.
// Threads: B*H*tiles^2, tiles = ceil(T/8); dispatch (gridX, gridY) workgroups of 64,
// thread id = gid.x + gid.y * gridX * 64.
// Compiled after shaders/attention_common.wgsl, as every attention kernel (it uses none of it).

struct Params { T: u32, hd: u32, tiles: u32, gridX: u32, total: u32, H: u32, doutMerged: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> datt: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

// Rows and columns per thread (DATT_TILE in src/kernels/attention.ts); the code below spells out 8.
const ROWS: u32 = 8u;

// Row i's columns j0..j0+3 (row base ao): zero above the diagonal, nothing past T.
fn put(i: u32, ao: u32, j0: u32, a: vec4<f32>) {
  if (i >= P.T) { return; }
  for (var e = 0u; e < 4u; e++) {
    let j = j0 + e;
    if (j < P.T) { datt[ao + j] = select(0.0, a[e], j <= i); }
  }
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = gid.x + gid.y * P.gridX * 64u;
  if (id >= P.total) { return; }
  let T = P.T;
  let hd = P.hd;
  let tt = P.tiles * P.tiles;
  let bh = id / tt;
  let t = id % tt;
  let i0 = (t / P.tiles) * ROWS;
  let j0 = (t % P.tiles) * ROWS;
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  var a4 = vec4<f32>(0.0);
  var a5 = vec4<f32>(0.0);
  var a6 = vec4<f32>(0.0);
  var a7 = vec4<f32>(0.0);
  var b0 = vec4<f32>(0.0);
  var b1 = vec4<f32>(0.0);
  var b2 = vec4<f32>(0.0);
  var b3 = vec4<f32>(0.0);
  var b4 = vec4<f32>(0.0);
  var b5 = vec4<f32>(0.0);
  var b6 = vec4<f32>(0.0);
  var b7 = vec4<f32>(0.0);
  if (j0 <= i0) {
    // Row i of dout at db + i * ds: heads [B,H,T,hd] or merged [B,T,H*hd].
    let merged = ((bh / P.H) * T * P.H + bh % P.H) * hd;
    let db = select(bh * T * hd, merged, P.doutMerged != 0u);
    let ds = select(hd, P.H * hd, P.doutMerged != 0u);
    let last = T - 1u;
    let r0 = db + min(i0, last) * ds;
    let r1 = db + min(i0 + 1u, last) * ds;
    let r2 = db + min(i0 + 2u, last) * ds;
    let r3 = db + min(i0 + 3u, last) * ds;
    let r4 = db + min(i0 + 4u, last) * ds;
    let r5 = db + min(i0 + 5u, last) * ds;
    let r6 = db + min(i0 + 6u, last) * ds;
    let r7 = db + min(i0 + 7u, last) * ds;
    let vb = bh * T * hd;
    let c0 = vb + min(j0, last) * hd;
    let c1 = vb + min(j0 + 1u, last) * hd;
    let c2 = vb + min(j0 + 2u, last) * hd;
    let c3 = vb + min(j0 + 3u, last) * hd;
    let c4 = vb + min(j0 + 4u, last) * hd;
    let c5 = vb + min(j0 + 5u, last) * hd;
    let c6 = vb + min(j0 + 6u, last) * hd;
    let c7 = vb + min(j0 + 7u, last) * hd;
    for (var d = 0u; d < hd; d++) {
      let va = vec4<f32>(v[c0 + d], v[c1 + d], v[c2 + d], v[c3 + d]);
      let vc = vec4<f32>(v[c4 + d], v[c5 + d], v[c6 + d], v[c7 + d]);
      let g0 = vec4<f32>(dout[r0 + d]);
      a0 = fma(g0, va, a0);
      b0 = fma(g0, vc, b0);
      let g1 = vec4<f32>(dout[r1 + d]);
      a1 = fma(g1, va, a1);
      b1 = fma(g1, vc, b1);
      let g2 = vec4<f32>(dout[r2 + d]);
      a2 = fma(g2, va, a2);
      b2 = fma(g2, vc, b2);
      let g3 = vec4<f32>(dout[r3 + d]);
      a3 = fma(g3, va, a3);
      b3 = fma(g3, vc, b3);
      let g4 = vec4<f32>(dout[r4 + d]);
      a4 = fma(g4, va, a4);
      b4 = fma(g4, vc, b4);
      let g5 = vec4<f32>(dout[r5 + d]);
      a5 = fma(g5, va, a5);
      b5 = fma(g5, vc, b5);
      let g6 = vec4<f32>(dout[r6 + d]);
      a6 = fma(g6, va, a6);
      b6 = fma(g6, vc, b6);
      let g7 = vec4<f32>(dout[r7 + d]);
      a7 = fma(g7, va, a7);
      b7 = fma(g7, vc, b7);
    }
  }
  let ao = (bh * T + i0) * T;
  let j1 = j0 + 4u;
  put(i0, ao, j0, a0);
  put(i0, ao, j1, b0);
  put(i0 + 1u, ao + T, j0, a1);
  put(i0 + 1u, ao + T, j1, b1);
  put(i0 + 2u, ao + 2u * T, j0, a2);
  put(i0 + 2u, ao + 2u * T, j1, b2);
  put(i0 + 3u, ao + 3u * T, j0, a3);
  put(i0 + 3u, ao + 3u * T, j1, b3);
  put(i0 + 4u, ao + 4u * T, j0, a4);
  put(i0 + 4u, ao + 4u * T, j1, b4);
  put(i0 + 5u, ao + 5u * T, j0, a5);
  put(i0 + 5u, ao + 5u * T, j1, b5);
  put(i0 + 6u, ao + 6u * T, j0, a6);
  put(i0 + 6u, ao + 6u * T, j1, b6);
  put(i0 + 7u, ao + 7u * T, j0, a7);
  put(i0 + 7u, ao + 7u * T, j1, b7);
}
