// Downsampled attention map of one head, streaming rows: no [L, L] buffer.
// Compiled after attention_fused_common.wgsl.
//   q, k: [B, H, L, hd] read   (bindings 0, 1; after RoPE, if any)
//   amap: [R, R]        write  amap[r, c] = mean of A_ij over rows i in bucket r and
//                              columns j in bucket c, the zeros above the diagonal included
//   P:    uniform Params; P.bh = b * H + h selects the head, P.R the grid (R <= MAXR)
// Buckets: bucket r holds indices [floor(r L / R), floor((r + 1) L / R)); with R > L some
// are empty and their cells are 0. A is the weights actually used (after re-weighting,
// if on): u / sum u for softmax, lssa, taylor; raw u for sigmoid, relu.
// Dispatch: ceil(R/4) workgroups of 4; thread r owns row bucket r, walks its rows in
// order and each row's keys in order, summing into a private row of R cells: no
// atomics, no barriers, no scratch, deterministic. Small workgroups because there are
// only R threads and the buckets' costs grow with r (longer rows).

@group(0) @binding(2) var<storage, read_write> amap: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const MAXR: u32 = 128u;

fn bucket_start(c: u32) -> u32 { return (c * P.L) / P.R; }

@compute @workgroup_size(4, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  let R = P.R;
  if (r >= R) { return; }
  let i0 = bucket_start(r);
  let i1 = bucket_start(r + 1u);
  var cell: array<f32, MAXR>;
  var rowb: array<f32, MAXR>;
  for (var i = i0; i < i1; i++) {
    row_prepare(P.bh, i);
    var z = 0.0;
    var c = 0u;
    // Column buckets that start at or before the diagonal; the rest of the row is 0.
    for (; c < R && bucket_start(c) <= i; c++) {
      let jEnd = min(bucket_start(c + 1u), i + 1u);
      var s = 0.0;
      for (var j = max(bucket_start(c), rJ0); j < jEnd; j++) { s += weight(logit(j)); }
      rowb[c] = s;
      z += s;
    }
    var inv = 1.0;
    if (MECH <= LAST_NORMALISED) { inv = 1.0 / z; }
    for (var cc = 0u; cc < c; cc++) { cell[cc] = fma(rowb[cc], inv, cell[cc]); }
  }
  let rows = f32(i1 - i0);
  for (var c = 0u; c < R; c++) {
    let n = rows * f32(bucket_start(c + 1u) - bucket_start(c));
    amap[r * R + c] = select(0.0, cell[c] / n, n > 0.0);
  }
}
