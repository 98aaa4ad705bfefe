// Global gradient norm, stage 1 of 2: per-workgroup partial sums of squares.
//   grads:    [n] f32 (read), the whole gradient arena (or any prefix of it)
//   partials: [groups] f32 (write), partials[g] = sum of grads[i]^2 over workgroup g's elements
//   P: { n, groups }
// Workgroup g, thread t sums i = g*256 + t + k*groups*256 (k = 0, 1, ...) in
// order, then the 256 thread sums meet in a fixed tree. `groups` depends only
// on n (capped, so the dispatch stays 1-D for any arena size), hence the same
// gradients always give bitwise the same partials: no atomics anywhere.

struct Params { n: u32, groups: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> grads: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

const WG: u32 = 256u;
var<workgroup> sh: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let stride = P.groups * WG;
  var acc = 0.0;
  for (var i = wg.x * WG + lid.x; i < P.n; i += stride) {
    let g = grads[i];
    acc += g * g;
  }
  sh[lid.x] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) { sh[lid.x] += sh[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u && wg.x < P.groups && wg.x < arrayLength(&partials)) { partials[wg.x] = sh[0]; }
}
