// Backward of rope_forward.wgsl: the rotation is orthogonal, so dinp = R^T dout.
//   dout, dinp: [BH, T, hd]   (hd even; element m pairs with m + hd/2)
//   table:      [T, hd/2, 2]  (cos, sin), the same table as the forward
// One thread per pair; 1-D index spread over x and y (65535-workgroup limit).

struct Params { BH: u32, T: u32, npair: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

@compute @workgroup_size(256, 1, 1)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let idx = (wg.y * nwg.x + wg.x) * 256u + lid.x;
  if (idx >= P.BH * P.T * P.npair) { return; }
  let m = idx % P.npair;
  let row = idx / P.npair;
  let t = row % P.T;
  let c = table[(t * P.npair + m) * 2u];
  let s = table[(t * P.npair + m) * 2u + 1u];
  let o = row * 2u * P.npair + m;
  let g1 = dout[o];
  let g2 = dout[o + P.npair];
  dinp[o] = g1 * c + g2 * s;
  dinp[o + P.npair] = g2 * c - g1 * s;
}
