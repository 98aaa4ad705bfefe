// Fused causal attention forward for evaluation at long lengths, no [L, L] buffer.
// Compiled after attention_fused_common.wgsl (q, k, Params, the passes, weight()).
//   q:    [B, H, L, hd] read   (binding 0; after RoPE, if any)
//   k, v: [B, H, kL, hd] read  (binding 1, 2; kL = L in evaluation; incremental
//                              sampling: a cache whose rows 0..qOff + L - 1 are filled)
//   out:  [B, H, L, hd] write  out_i = sum_j u_j v_j / sum_j u_j  (softmax, lssa, taylor)
//                              out_i = sum_j u_j v_j              (sigmoid, relu)
//   P:    uniform Params (attention_fused_common.wgsl)
// Dispatch: (ceil(L/64), B*H) workgroups of 64; thread (i, bh) owns query row i and
// all hd output channels, walking keys j <= i in order, no barriers.
// Sweeps over the keys per row:
//   softmax, RW = 0: one, online softmax (running max; sum and accumulator rescaled
//     when the max moves).
//   lssa, taylor, RW = 0: one (phi > 0 needs no max; the l1 norm is a division at the end).
//   sigmoid, relu: one, no normalisation.
//   RW = 1: three (normaliser, max of r, output); memory stays O(hd) per row.

@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let bh = gid.y;
  if (i >= P.L) { return; }
  let online = MECH == 0u && RW == 0u;
  if (online) { row_begin(bh, i); } else { row_prepare(bh, i); }

  var acc: array<f32, MAXHD>;
  var z = 0.0;
  var m = -3.4e38;
  for (var j = rJ0; j <= rI; j++) {
    let x = logit(j);
    var u: f32;
    if (online) {
      if (x > m) {
        let s = exp(m - x);
        z *= s;
        for (var d = 0u; d < HD; d++) { acc[d] *= s; }
        m = x;
      }
      u = exp(x - m);
    } else {
      u = weight(x);
    }
    z += u;
    if (u != 0.0) {  // re-weighted rows are mostly exact zeros
      let vo = rKb + j * HD;
      for (var d = 0u; d < HD; d++) { acc[d] = fma(u, v[vo + d], acc[d]); }
    }
  }
  var inv = 1.0;
  if (MECH <= LAST_NORMALISED) { inv = 1.0 / z; }
  let o = (bh * P.L + i) * HD;
  for (var d = 0u; d < HD; d++) { out[o + d] = acc[d] * inv; }
}
