// The qkv split and RoPE in one pass (qkv_split_forward, then rope_forward on q
// and on k): qkv [B,T,3C] -> rope(q), rope(k), v [B,H,T,hd] (layouts in
// qkv_split_rope_common.wgsl, prepended). One thread per pair; the same
// products as the separate kernels, so the same bits.

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> q: array<f32>;
@group(0) @binding(3) var<storage, read_write> k: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

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
  let q1 = qkv[x.packed];
  let q2 = qkv[x.packed + x.npair];
  q[x.head] = q1 * c - q2 * s;
  q[x.head + x.npair] = q1 * s + q2 * c;
  let k1 = qkv[x.packed + x.C];
  let k2 = qkv[x.packed + x.C + x.npair];
  k[x.head] = k1 * c - k2 * s;
  k[x.head + x.npair] = k1 * s + k2 * c;
  v[x.head] = qkv[x.packed + 2u * x.C];
  v[x.head + x.npair] = qkv[x.packed + 2u * x.C + x.npair];
}
