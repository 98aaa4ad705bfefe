// Matrix multiply, vec4 fast path: C[b] (+)= alpha * A[b] . B[b], B and C read/written as vec4.
//   a: logical [M, K], element (m, k) at a[b*batchA + m*sAm + k*sAk]       (read, f32)
//   b: logical [K, N], row-major: element (k, n) at b[b*batchB + k*sBk + n] (read, vec4)
//   c: [M, N] row-major at c[b*batchC + m*N + n]                           (read_write, vec4)
//   P: sizes, strides (in floats), accumulate flag, alpha                  (uniform)
// Requires N, sBk, batchB, batchC multiples of 4 (src/kernels/matmul.ts checks).
// Each invocation owns 8 rows x 8 adjacent columns of C. On CPU adapters
// (SwiftShader) every storage load is a per-lane gather and every barrier a
// context switch, so there is no workgroup memory and as many multiply-adds
// per load as registers allow. Out-of-range rows/columns are clamped for loads
// (valid memory, result dropped) so the k-loop has no branches.
// The k-loop is unrolled 4x by hand: about 20% faster on SwiftShader
// (bench/matmul.ts), whose compiler does not unroll it.

struct Params {
  M: u32, N: u32, K: u32, accumulate: u32,
  sAm: u32, sAk: u32, sBk: u32, sBn: u32,
  batchA: u32, batchB: u32, batchC: u32, alpha: f32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> P: Params;

override WX: u32 = 8u;
override WY: u32 = 8u;

fn store4(m: u32, n4: u32, cBase: u32, v: vec4<f32>) {
  if (m >= P.M || n4 * 4u >= P.N) { return; }
  let idx = cBase + m * (P.N / 4u) + n4;
  var r = P.alpha * v;
  if (P.accumulate != 0u) { r += c[idx]; }
  c[idx] = r;
}

@compute @workgroup_size(WX, WY, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m0 = wg.y * WY * 8u + lid.y * 8u;
  let n40 = (wg.x * WX + lid.x) * 2u; // first column / 4
  let aBase = wg.z * P.batchA;
  let bBase = wg.z * P.batchB / 4u;
  let mMax = P.M - 1u;
  let n4Max = P.N / 4u - 1u;
  let sBk4 = P.sBk / 4u;
  let a0 = aBase + min(m0 + 0u, mMax) * P.sAm;
  let a1 = aBase + min(m0 + 1u, mMax) * P.sAm;
  let a2 = aBase + min(m0 + 2u, mMax) * P.sAm;
  let a3 = aBase + min(m0 + 3u, mMax) * P.sAm;
  let a4 = aBase + min(m0 + 4u, mMax) * P.sAm;
  let a5 = aBase + min(m0 + 5u, mMax) * P.sAm;
  let a6 = aBase + min(m0 + 6u, mMax) * P.sAm;
  let a7 = aBase + min(m0 + 7u, mMax) * P.sAm;
  let b0 = bBase + min(n40 + 0u, n4Max);
  let b1 = bBase + min(n40 + 1u, n4Max);
  var c0_0 = vec4<f32>(0.0);
  var c0_1 = vec4<f32>(0.0);
  var c1_0 = vec4<f32>(0.0);
  var c1_1 = vec4<f32>(0.0);
  var c2_0 = vec4<f32>(0.0);
  var c2_1 = vec4<f32>(0.0);
  var c3_0 = vec4<f32>(0.0);
  var c3_1 = vec4<f32>(0.0);
  var c4_0 = vec4<f32>(0.0);
  var c4_1 = vec4<f32>(0.0);
  var c5_0 = vec4<f32>(0.0);
  var c5_1 = vec4<f32>(0.0);
  var c6_0 = vec4<f32>(0.0);
  var c6_1 = vec4<f32>(0.0);
  var c7_0 = vec4<f32>(0.0);
  var c7_1 = vec4<f32>(0.0);
  var ka = 0u;
  var kb = 0u;
  let kFull = P.K - P.K % 4u;
  for (var k = 0u; k < kFull; k += 4u) {
    {
      let bv0 = b[b0 + kb];
      let bv1 = b[b1 + kb];
      let av0 = vec4<f32>(a[a0 + ka]);
      c0_0 = fma(av0, bv0, c0_0);
      c0_1 = fma(av0, bv1, c0_1);
      let av1 = vec4<f32>(a[a1 + ka]);
      c1_0 = fma(av1, bv0, c1_0);
      c1_1 = fma(av1, bv1, c1_1);
      let av2 = vec4<f32>(a[a2 + ka]);
      c2_0 = fma(av2, bv0, c2_0);
      c2_1 = fma(av2, bv1, c2_1);
      let av3 = vec4<f32>(a[a3 + ka]);
      c3_0 = fma(av3, bv0, c3_0);
      c3_1 = fma(av3, bv1, c3_1);
      let av4 = vec4<f32>(a[a4 + ka]);
      c4_0 = fma(av4, bv0, c4_0);
      c4_1 = fma(av4, bv1, c4_1);
      let av5 = vec4<f32>(a[a5 + ka]);
      c5_0 = fma(av5, bv0, c5_0);
      c5_1 = fma(av5, bv1, c5_1);
      let av6 = vec4<f32>(a[a6 + ka]);
      c6_0 = fma(av6, bv0, c6_0);
      c6_1 = fma(av6, bv1, c6_1);
      let av7 = vec4<f32>(a[a7 + ka]);
      c7_0 = fma(av7, bv0, c7_0);
      c7_1 = fma(av7, bv1, c7_1);
    }
    ka += P.sAk;
    kb += sBk4;
    {
      let bv0 = b[b0 + kb];
      let bv1 = b[b1 + kb];
      let av0 = vec4<f32>(a[a0 + ka]);
      c0_0 = fma(av0, bv0, c0_0);
      c0_1 = fma(av0, bv1, c0_1);
      let av1 = vec4<f32>(a[a1 + ka]);
      c1_0 = fma(av1, bv0, c1_0);
      c1_1 = fma(av1, bv1, c1_1);
      let av2 = vec4<f32>(a[a2 + ka]);
      c2_0 = fma(av2, bv0, c2_0);
      c2_1 = fma(av2, bv1, c2_1);
      let av3 = vec4<f32>(a[a3 + ka]);
      c3_0 = fma(av3, bv0, c3_0);
      c3_1 = fma(av3, bv1, c3_1);
      let av4 = vec4<f32>(a[a4 + ka]);
      c4_0 = fma(av4, bv0, c4_0);
      c4_1 = fma(av4, bv1, c4_1);
      let av5 = vec4<f32>(a[a5 + ka]);
      c5_0 = fma(av5, bv0, c5_0);
      c5_1 = fma(av5, bv1, c5_1);
      let av6 = vec4<f32>(a[a6 + ka]);
      c6_0 = fma(av6, bv0, c6_0);
      c6_1 = fma(av6, bv1, c6_1);
      let av7 = vec4<f32>(a[a7 + ka]);
      c7_0 = fma(av7, bv0, c7_0);
      c7_1 = fma(av7, bv1, c7_1);
    }
    ka += P.sAk;
    kb += sBk4;
    {
      let bv0 = b[b0 + kb];
      let bv1 = b[b1 + kb];
      let av0 = vec4<f32>(a[a0 + ka]);
      c0_0 = fma(av0, bv0, c0_0);
      c0_1 = fma(av0, bv1, c0_1);
      let av1 = vec4<f32>(a[a1 + ka]);
      c1_0 = fma(av1, bv0, c1_0);
      c1_1 = fma(av1, bv1, c1_1);
      let av2 = vec4<f32>(a[a2 + ka]);
      c2_0 = fma(av2, bv0, c2_0);
      c2_1 = fma(av2, bv1, c2_1);
      let av3 = vec4<f32>(a[a3 + ka]);
      c3_0 = fma(av3, bv0, c3_0);
      c3_1 = fma(av3, bv1, c3_1);
      let av4 = vec4<f32>(a[a4 + ka]);
      c4_0 = fma(av4, bv0, c4_0);
      c4_1 = fma(av4, bv1, c4_1);
      let av5 = vec4<f32>(a[a5 + ka]);
      c5_0 = fma(av5, bv0, c5_0);
      c5_1 = fma(av5, bv1, c5_1);
      let av6 = vec4<f32>(a[a6 + ka]);
      c6_0 = fma(av6, bv0, c6_0);
      c6_1 = fma(av6, bv1, c6_1);
      let av7 = vec4<f32>(a[a7 + ka]);
      c7_0 = fma(av7, bv0, c7_0);
      c7_1 = fma(av7, bv1, c7_1);
    }
    ka += P.sAk;
    kb += sBk4;
    {
      let bv0 = b[b0 + kb];
      let bv1 = b[b1 + kb];
      let av0 = vec4<f32>(a[a0 + ka]);
      c0_0 = fma(av0, bv0, c0_0);
      c0_1 = fma(av0, bv1, c0_1);
      let av1 = vec4<f32>(a[a1 + ka]);
      c1_0 = fma(av1, bv0, c1_0);
      c1_1 = fma(av1, bv1, c1_1);
      let av2 = vec4<f32>(a[a2 + ka]);
      c2_0 = fma(av2, bv0, c2_0);
      c2_1 = fma(av2, bv1, c2_1);
      let av3 = vec4<f32>(a[a3 + ka]);
      c3_0 = fma(av3, bv0, c3_0);
      c3_1 = fma(av3, bv1, c3_1);
      let av4 = vec4<f32>(a[a4 + ka]);
      c4_0 = fma(av4, bv0, c4_0);
      c4_1 = fma(av4, bv1, c4_1);
      let av5 = vec4<f32>(a[a5 + ka]);
      c5_0 = fma(av5, bv0, c5_0);
      c5_1 = fma(av5, bv1, c5_1);
      let av6 = vec4<f32>(a[a6 + ka]);
      c6_0 = fma(av6, bv0, c6_0);
      c6_1 = fma(av6, bv1, c6_1);
      let av7 = vec4<f32>(a[a7 + ka]);
      c7_0 = fma(av7, bv0, c7_0);
      c7_1 = fma(av7, bv1, c7_1);
    }
    ka += P.sAk;
    kb += sBk4;
  }
  for (var k = kFull; k < P.K; k++) {
    let bv0 = b[b0 + kb];
    let bv1 = b[b1 + kb];
    let av0 = vec4<f32>(a[a0 + ka]);
    c0_0 = fma(av0, bv0, c0_0);
    c0_1 = fma(av0, bv1, c0_1);
    let av1 = vec4<f32>(a[a1 + ka]);
    c1_0 = fma(av1, bv0, c1_0);
    c1_1 = fma(av1, bv1, c1_1);
    let av2 = vec4<f32>(a[a2 + ka]);
    c2_0 = fma(av2, bv0, c2_0);
    c2_1 = fma(av2, bv1, c2_1);
    let av3 = vec4<f32>(a[a3 + ka]);
    c3_0 = fma(av3, bv0, c3_0);
    c3_1 = fma(av3, bv1, c3_1);
    let av4 = vec4<f32>(a[a4 + ka]);
    c4_0 = fma(av4, bv0, c4_0);
    c4_1 = fma(av4, bv1, c4_1);
    let av5 = vec4<f32>(a[a5 + ka]);
    c5_0 = fma(av5, bv0, c5_0);
    c5_1 = fma(av5, bv1, c5_1);
    let av6 = vec4<f32>(a[a6 + ka]);
    c6_0 = fma(av6, bv0, c6_0);
    c6_1 = fma(av6, bv1, c6_1);
    let av7 = vec4<f32>(a[a7 + ka]);
    c7_0 = fma(av7, bv0, c7_0);
    c7_1 = fma(av7, bv1, c7_1);
    ka += P.sAk;
    kb += sBk4;
  }
  let cBase = wg.z * P.batchC / 4u;
  store4(m0 + 0u, n40 + 0u, cBase, c0_0);
  store4(m0 + 0u, n40 + 1u, cBase, c0_1);
  store4(m0 + 1u, n40 + 0u, cBase, c1_0);
  store4(m0 + 1u, n40 + 1u, cBase, c1_1);
  store4(m0 + 2u, n40 + 0u, cBase, c2_0);
  store4(m0 + 2u, n40 + 1u, cBase, c2_1);
  store4(m0 + 3u, n40 + 0u, cBase, c3_0);
  store4(m0 + 3u, n40 + 1u, cBase, c3_1);
  store4(m0 + 4u, n40 + 0u, cBase, c4_0);
  store4(m0 + 4u, n40 + 1u, cBase, c4_1);
  store4(m0 + 5u, n40 + 0u, cBase, c5_0);
  store4(m0 + 5u, n40 + 1u, cBase, c5_1);
  store4(m0 + 6u, n40 + 0u, cBase, c6_0);
  store4(m0 + 6u, n40 + 1u, cBase, c6_1);
  store4(m0 + 7u, n40 + 0u, cBase, c7_0);
  store4(m0 + 7u, n40 + 1u, cBase, c7_1);
}
