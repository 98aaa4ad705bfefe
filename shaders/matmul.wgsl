// General matrix multiply with strides: C[b] (+)= A[b] . B[b]
//   A: logical [M, K], element (m, k) at a[b*batchA + m*sAm + k*sAk]
//   B: logical [K, N], element (k, n) at b[b*batchB + k*sBk + n*sBn]
//   C: [M, N] row-major at c[b*batchC + m*N + n]
// Strides let one kernel serve X.W^T (forward), dY.W (input gradient) and
// dY^T.X (weight gradient, accumulated) without transposing anything.
// Register-tiled: a 16x16 workgroup computes a 64x64 tile of C, 4x4 per thread.
// Bounds are checked on every load and store (sizes need not be multiples of 64).

struct Params {
  M: u32, N: u32, K: u32, accumulate: u32,
  sAm: u32, sAk: u32, sBk: u32, sBn: u32,
  batchA: u32, batchB: u32, batchC: u32, alpha: f32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const TILE: u32 = 64u;
const TK: u32 = 16u;
var<workgroup> As: array<f32, 1024>; // [TK][TILE]: As[k*TILE + m]
var<workgroup> Bs: array<f32, 1024>; // [TK][TILE]: Bs[k*TILE + n]

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wg.z;
  let row0 = wg.y * TILE;
  let col0 = wg.x * TILE;
  let tid = lid.y * 16u + lid.x;
  let aBase = batch * P.batchA;
  let bBase = batch * P.batchB;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }

  let nTiles = (P.K + TK - 1u) / TK;
  for (var t = 0u; t < nTiles; t++) {
    let k0 = t * TK;
    // 1024 elements per tile, 256 threads: 4 loads each for A and B.
    for (var l = 0u; l < 4u; l++) {
      let e = tid + l * 256u;
      let kk = e / TILE;
      let mm = e % TILE;
      let gk = k0 + kk;
      let gm = row0 + mm;
      var va = 0.0;
      if (gk < P.K && gm < P.M) { va = a[aBase + gm * P.sAm + gk * P.sAk]; }
      As[kk * TILE + mm] = va;
      let gn = col0 + mm;
      var vb = 0.0;
      if (gk < P.K && gn < P.N) { vb = b[bBase + gk * P.sBk + gn * P.sBn]; }
      Bs[kk * TILE + mm] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var ar: array<f32, 4>;
      var br: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        ar[i] = As[kk * TILE + lid.y * 4u + i];
        br[i] = Bs[kk * TILE + lid.x * 4u + i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          acc[i * 4u + j] = fma(ar[i], br[j], acc[i * 4u + j]);
        }
      }
    }
    workgroupBarrier();
  }

  let cBase = batch * P.batchC;
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + lid.y * 4u + i;
    if (m >= P.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + lid.x * 4u + j;
      if (n >= P.N) { continue; }
      let idx = cBase + m * P.N + n;
      var v = P.alpha * acc[i * 4u + j];
      if (P.accumulate != 0u) { v += c[idx]; }
      c[idx] = v;
    }
  }
}
