// Global gradient norm, stage 1 of 2: partial sums of squares over chunks.
//   grads:    [n] f32 (read), the whole gradient arena (or any prefix of it)
//   partials: [parts] f32 (write), partials[t] = sum of grads[i]^2 for i in chunk t
//   P: { n, chunk, parts }
// One thread per chunk of `chunk` consecutive elements, summed in order; no
// barriers (each one is a context switch on a software adapter) and no
// atomics. `chunk` and `parts` depend only on n, so the same gradients always
// give bitwise the same partials.

struct Params { n: u32, chunk: u32, parts: u32, _pad0: u32 }

@group(0) @binding(0) var<storage, read> grads: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  if (t >= P.parts || t >= arrayLength(&partials)) { return; }
  let start = t * P.chunk;
  let end = min(start + P.chunk, P.n);
  var acc = 0.0;
  for (var i = start; i < end; i++) {
    let g = grads[i];
    acc += g * g;
  }
  partials[t] = acc;
}
