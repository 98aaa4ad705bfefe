// Backward of heads_merge_forward.wgsl (a permutation): dy written.
//   dout: [B, T, C], C = H * hd
//   dy:   [B, H, T, hd]
// One thread per element of dy; 1-D index spread over x and y (65535-workgroup limit).

struct Params { B: u32, T: u32, H: u32, hd: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read_write> dy: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

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
  dy[idx] = dout[(b * P.T + t) * P.H * P.hd + h * P.hd + d];
}
