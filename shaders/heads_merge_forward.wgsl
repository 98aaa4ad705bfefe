// Concatenates heads: out[b, t, h*hd + d] = y[b, h, t, d].
//   y:   [B, H, T, hd]
//   out: [B, T, C], C = H * hd
// One thread per element of out (writes coalesced); 1-D index spread over x and y.

struct Params { B: u32, T: u32, H: u32, hd: u32 }

@group(0) @binding(0) var<storage, read> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(256, 1, 1)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let idx = (wg.y * nwg.x + wg.x) * 256u + lid.x;
  let C = P.H * P.hd;
  if (idx >= P.B * P.T * C) { return; }
  let col = idx % C;
  let bt = idx / C;
  let h = col / P.hd;
  let d = col % P.hd;
  let b = bt / P.T;
  let t = bt % P.T;
  out[idx] = y[((b * P.H + h) * P.T + t) * P.hd + d];
}
