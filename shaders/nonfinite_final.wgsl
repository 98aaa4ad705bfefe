// Non-finite check, stage 2 of 2: if nothing is recorded yet, records the
// first non-finite value of this step.
//   partials: [G, 2] u32 (read), from nonfinite_check.wgsl
//   stats:    [*] u32 (write), the stats buffer seen as bits:
//             stats[lossIndex] holds the step's mean loss (f32 bits; lossIndex
//             0xFFFFFFFF skips the loss), and the record is
//             stats[recordIndex + 0] = step (0: nothing recorded yet),
//             stats[recordIndex + 1] = what (1 loss, 2 array a, 3 array b),
//             stats[recordIndex + 2] = first bad index in that array
//   P: { G, lossIndex, recordIndex }
//   S: { step } (rewritten by the caller every step)
// One thread walks the G = n / 256 chunk minima in order (the first hit is the
// smallest index): cheaper than a tree's barriers on software adapters. The
// record is sticky: the CPU reads it only at logging points, so the first bad
// step between two of them must survive the steps after it.

struct Params { G: u32, lossIndex: u32, recordIndex: u32, _p0: u32 }
struct Step { step: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> partials: array<u32>;
@group(0) @binding(1) var<storage, read_write> stats: array<u32>;
@group(0) @binding(2) var<uniform> P: Params;
@group(0) @binding(3) var<uniform> S: Step;

const NONE: u32 = 0xFFFFFFFFu;

// Bits, not x != x: compilers may assume floats are finite (see stage 1).
fn nonfinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7F800000u) == 0x7F800000u;
}

@compute @workgroup_size(1)
fn main() {
  let r = P.recordIndex;
  if (r + 2u >= arrayLength(&stats) || stats[r] != 0u) { return; }
  let G = min(P.G, arrayLength(&partials) / 2u);
  var ia = NONE;
  var ib = NONE;
  for (var g = 0u; g < G; g++) {
    if (ia == NONE) { ia = partials[2u * g]; }
    if (ib == NONE) { ib = partials[2u * g + 1u]; }
    if (ia != NONE) { break; } // a outranks b, so b's minimum is no longer needed
  }
  var what = 0u;
  var index = 0u;
  if (P.lossIndex < arrayLength(&stats) && nonfinite(bitcast<f32>(stats[P.lossIndex]))) {
    what = 1u;
  } else if (ia != NONE) {
    what = 2u;
    index = ia;
  } else if (ib != NONE) {
    what = 3u;
    index = ib;
  }
  if (what != 0u) {
    stats[r] = S.step;
    stats[r + 1u] = what;
    stats[r + 2u] = index;
  }
}
