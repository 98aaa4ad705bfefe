// The backward of qkv_split_rope_forward (rope_backward on dq and on dk, then
// qkv_split_backward) in one pass: dqkv [B,T,3C] written from the gradients at
// rope(q), rope(k) and v, each pair rotated back by -angle (layouts in
// qkv_split_rope_common.wgsl, prepended). The same products as the separate
// kernels, so the same bits.

@group(0) @binding(0) var<storage, read> dq: array<f32>;
@group(0) @binding(1) var<storage, read> dk: array<f32>;
@group(0) @binding(2) var<storage, read> dv: array<f32>;
@group(0) @binding(3) var<storage, read> table: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  var x: SplitRopePair;
  if (!split_rope_pair((wg.y * nwg.x + wg.x) * 256u + lid.x, &x)) { return; }
  let c = table[x.angle];
  let s = table[x.angle + 1u];
  let q1 = dq[x.head];
  let q2 = dq[x.head + x.npair];
  dqkv[x.packed] = q1 * c + q2 * s;
  dqkv[x.packed + x.npair] = q2 * c - q1 * s;
  let k1 = dk[x.head];
  let k2 = dk[x.head + x.npair];
  dqkv[x.packed + x.C] = k1 * c + k2 * s;
  dqkv[x.packed + x.C + x.npair] = k2 * c - k1 * s;
  dqkv[x.packed + 2u * x.C] = dv[x.head];
  dqkv[x.packed + 2u * x.C + x.npair] = dv[x.head + x.npair];
}
