// Splits the fused projection into heads.
//   qkv:     [B, T, 3C]    per token [q (C) | k (C) | v (C)], head h at columns h*hd..h*hd+hd-1
//   q, k, v: [B, H, T, hd]
// One thread per element of q; 1-D index spread over x and y (65535-workgroup limit).

struct Params { B: u32, T: u32, H: u32, hd: u32 }

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read_write> q: array<f32>;
@group(0) @binding(2) var<storage, read_write> k: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

@compute @workgroup_size(256, 1, 1)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let idx = (wg.y * nwg.x + wg.x) * 256u + lid.x;
  if (idx >= P.B * P.H * P.T * P.hd) { return; }
  let d = idx % P.hd;
  let t = (idx / P.hd) % P.T;
  let h = (idx / (P.hd * P.T)) % P.H;
  let b = idx / (P.hd * P.T * P.H);
  let C = P.H * P.hd;
  let src = (b * P.T + t) * 3u * C + h * P.hd + d;
  q[idx] = qkv[src];
  k[idx] = qkv[src + C];
  v[idx] = qkv[src + 2u * C];
}
