// Non-finite check, stage 1 of 2: per-chunk first index of a NaN or an
// infinity in two arrays of the same length (the trainer passes the gradient
// and parameter arenas).
//   a:        [n] f32 (read)
//   b:        [n] f32 (read)
//   partials: [G, 2] u32 (write), G = ceil(n / 256); partials[2g] = smallest i
//             in chunk g with a[i] non-finite, 0xFFFFFFFF if none;
//             partials[2g + 1] the same for b
//   P: { n, G }
// Thread g (64 per workgroup, workgroups spread over x and y) owns the chunk
// [g * 256, (g + 1) * 256) and scans it in order: no barriers (very expensive
// on software adapters), and a minimum is exact, so the result is repeatable.

struct Params { n: u32, G: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 64u;
const CHUNK: u32 = 256u;
const NONE: u32 = 0xFFFFFFFFu;

// Compilers may assume floats are finite and fold x != x to false, so the
// test looks at the bits: an all-ones exponent is an infinity or a NaN.
fn nonfinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7F800000u) == 0x7F800000u;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let g = (wg.y * nwg.x + wg.x) * WG + li;
  if (g >= P.G || 2u * g + 1u >= arrayLength(&partials)) { return; }
  let end = min(min(P.n, (g + 1u) * CHUNK), min(arrayLength(&a), arrayLength(&b)));
  var ia = NONE;
  var ib = NONE;
  // Indices rise along the loop, so the first hit in each array is its minimum.
  for (var i = g * CHUNK; i < end; i++) {
    if (ia == NONE && nonfinite(a[i])) { ia = i; }
    if (ib == NONE && nonfinite(b[i])) { ib = i; }
  }
  partials[2u * g] = ia;
  partials[2u * g + 1u] = ib;
}
