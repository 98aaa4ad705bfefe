// Split-K reduction: c[i] (+)= alpha * sum_s part[s*MN + i], s = 0..S-1 in order
//   part: [S, M*N] partial products, one slice per k-range (read)
//   c:    [M*N] output (read_write; read only when accumulating)
//   P: MN, S, accumulate flag, alpha (uniform)
// A fixed summation order keeps split-K results bitwise reproducible (no atomics).

struct Params { MN: u32, S: u32, accumulate: u32, alpha: f32 }

@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> c: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * 65535u * 64u + gid.x;
  if (i >= P.MN) { return; }
  var s = 0.0;
  for (var k = 0u; k < P.S; k++) { s += part[k * P.MN + i]; }
  var r = P.alpha * s;
  if (P.accumulate != 0u) { r += c[i]; }
  c[i] = r;
}
