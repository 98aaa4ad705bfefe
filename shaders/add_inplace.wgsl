// In-place accumulate: dst += src (e.g. a gradient arriving by a second path)
//   src: [n] read    dst: [n] write (read-modify-write; each element owned by one thread)    P: n
// One thread per element; 256-wide workgroups spread over x and y.

struct Params { n: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.n) { return; }
  dst[i] += src[i];
}
