// Transpose of a row-major matrix: dst[c, r] = src[r, c]
//   src: [R, C] row-major (read)
//   dst: [C, R] row-major (write)
//   P: R, C (uniform)
// Lets matmul_forward feed W^T (row-major [IC, OC]) to the vec4 kernel, whose
// B loads need adjacent columns adjacent in memory. W is small next to X, so
// one extra pass over it costs little.

struct Params { R: u32, C: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  // 2-D dispatch spread over x and y (at most 65535 workgroups per dimension).
  let i = gid.y * 65535u * 64u + gid.x;
  if (i >= P.R * P.C) { return; }
  let r = i / P.C;
  let c = i % P.C;
  dst[c * P.R + r] = src[i];
}
