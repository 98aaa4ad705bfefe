// Global gradient norm, stage 2 of 2: one thread folds the partials, in order.
//   partials: [parts] f32 (read), from grad_norm_partial.wgsl
//   stats:    [*] f32 (write), a small buffer of scalars; only stats[statsIndex] is written
//   P: { parts, statsIndex }
// The result is the squared global norm, left on the GPU for adamw.wgsl (no
// readback). At most a few thousand partials, so one thread is enough.

struct Params { parts: u32, statsIndex: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(1, 1, 1)
fn main() {
  let count = min(P.parts, arrayLength(&partials));
  var acc = 0.0;
  for (var i = 0u; i < count; i++) { acc += partials[i]; }
  if (P.statsIndex < arrayLength(&stats)) { stats[P.statsIndex] = acc; }
}
