// Per-row statistics of the attention weights actually used (after re-weighting,
// if on), streaming: no [L, L] buffer. Compiled after attention_fused_common.wgsl.
//   q, k: [B, H, L, hd] read   (bindings 0, 1; after RoPE, if any)
//   diag: [B, H, L, 4]  write  per row i, with d = i - j over keys j <= i:
//     [0] entropy   -sum_j A_ij log A_ij   (0 log 0 = 0)
//     [1] sink      A_i0
//     [2] local     sum_{d <= 3} A_ij
//     [3] distance  sum_j A_ij d
//   P:    uniform Params (attention_fused_common.wgsl)
// A = u / sum u for softmax, lssa, taylor (rows sum to 1). sigmoid and relu rows are
// not normalised: the same sums are taken over their raw weights A = u, so entropy
// is -sum u log u of an unnormalised row and the others are raw masses.
// One sweep over the keys accumulates the unnormalised sums and divides at the end:
//   -sum A log A = log Z - (sum u log u) / Z,  Z = sum u.
// Dispatch: (ceil(L/64), B*H) workgroups of 64, one thread per row, keys in order.

@group(0) @binding(2) var<storage, read_write> diag: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let bh = gid.y;
  if (i >= P.L) { return; }
  row_prepare(bh, i);

  var z = 0.0;
  var ulu = 0.0;
  var sink = 0.0;
  var near = 0.0;
  var dist = 0.0;
  for (var j = rJ0; j <= i; j++) {
    let w = weight_log(logit(j));
    let u = w.x;
    let d = i - j;
    z += u;
    if (u > 0.0) { ulu = fma(u, w.y, ulu); }
    if (j == 0u) { sink = u; }
    if (d <= 3u) { near += u; }
    dist = fma(u, f32(d), dist);
  }
  let r = diag_finish(Stats(z, ulu, sink, near, dist));
  let o = (bh * P.L + i) * 4u;
  diag[o] = r.x;
  diag[o + 1u] = r.y;
  diag[o + 2u] = r.z;
  diag[o + 3u] = r.w;
}
