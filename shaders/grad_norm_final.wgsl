// Global gradient norm, stage 2 of 2: one workgroup folds the partials into one slot.
//   partials: [groups] f32 (read), from grad_norm_partial.wgsl
//   stats:    [*] f32 (write), a small buffer of scalars; only stats[statsIndex] is written
//   P: { groups, statsIndex }
// Thread t sums partials t, t+256, ... in order, then a fixed tree: the result
// is the squared global norm, left on the GPU for adamw.wgsl (no readback).

struct Params { groups: u32, statsIndex: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

const WG: u32 = 256u;
var<workgroup> sh: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let count = min(P.groups, arrayLength(&partials));
  var acc = 0.0;
  for (var i = lid.x; i < count; i += WG) { acc += partials[i]; }
  sh[lid.x] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) { sh[lid.x] += sh[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u && P.statsIndex < arrayLength(&stats)) { stats[P.statsIndex] = sh[0]; }
}
