// RoPE, half-split form: out = rotate(inp) per head vector.
//   inp, out: [BH, T, hd]   (hd even; element m pairs with m + hd/2)
//   table:    [T, hd/2, 2]  (cos, sin) of t * 10000^(-2m/hd), computed in float64 on the
//             CPU: WGSL sin/cos are only accurate to 2^-11 near [-pi, pi] and t reaches 1000s.
// One thread per pair; 1-D index spread over x and y (65535-workgroup limit).

struct Params { BH: u32, T: u32, npair: u32, _p: u32 }

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
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
  let x1 = inp[o];
  let x2 = inp[o + P.npair];
  out[o] = x1 * c - x2 * s;
  out[o + P.npair] = x1 * s + x2 * c;
}
