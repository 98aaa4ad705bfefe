// Backward of qkv_split_forward.wgsl (a permutation): dqkv written.
//   dq, dk, dv: [B, H, T, hd]
//   dqkv:       [B, T, 3C]    per token [dq (C) | dk (C) | dv (C)], head h at columns h*hd..
// One thread per element of dq; 1-D index spread over x and y (65535-workgroup limit).

struct Params { B: u32, T: u32, H: u32, hd: u32 }

@group(0) @binding(0) var<storage, read> dq: array<f32>;
@group(0) @binding(1) var<storage, read> dk: array<f32>;
@group(0) @binding(2) var<storage, read> dv: array<f32>;
@group(0) @binding(3) var<storage, read_write> dqkv: array<f32>;
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
  let dst = (b * P.T + t) * 3u * C + h * P.hd + d;
  dqkv[dst] = dq[idx];
  dqkv[dst + C] = dk[idx];
  dqkv[dst + 2u * C] = dv[idx];
}
