// Global gradient norm, stage 2 of 2: one thread folds the partials, in order;
// and the first half of the step's non-finite check (the loss and the gradients).
//   partials: [parts + 2] f32 (read_write): [0, parts) from grad_norm_partial.wgsl;
//             writes [parts] = the squared norm and [parts + 1] = 1 when AdamW is to
//             record a non-finite parameter (else 0), for adamw.wgsl to read
//             without touching the stats buffer's atomics
//   grads:    [n] f32 (read), the arena the partials summed
//   stats:    [*] u32 (read_write), the stats buffer seen as bits; writes the
//             squared norm (f32 bits) to stats[statsIndex] and, while nothing
//             is recorded (stats[recordIndex] == 0), the record
//             {step, what, index} at stats[recordIndex..+3): what 1 when the
//             loss (f32 bits in stats[lossIndex]) is NaN or infinite, else 2
//             with the first non-finite gradient; with neither it sets what to
//             3 and the index to 0xFFFFFFFF, for adamw.wgsl to lower to the
//             first non-finite parameter it writes, with the step (while the
//             step slot is 0 the record reads as empty).
//   P: { parts, statsIndex, chunk, n, recordIndex (0xFFFFFFFF: no check), lossIndex }
//   S: { step } (rewritten by the caller every step)
// At most a few thousand partials, so one thread is enough. The gradients are
// read only in a chunk whose partial is not finite: a NaN or an infinity among
// non-negative squares leaves their sum non-finite, so those chunks hold every
// non-finite gradient (an overflow of finite squares costs a scan that finds
// nothing). A finite step reads no gradient here. The record is sticky: the
// CPU reads it only at logging points, so the first bad step between two of
// them must survive the steps after it.

struct Params {
  parts: u32, statsIndex: u32, chunk: u32, n: u32,
  recordIndex: u32, lossIndex: u32, _pad0: u32, _pad1: u32,
}
struct Step { step: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<uniform> S: Step;

const NONE: u32 = 0xFFFFFFFFu;

// Compilers may assume floats are finite and fold x != x to false, so the
// test looks at the bits: an all-ones exponent is an infinity or a NaN.
fn nonfinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7F800000u) == 0x7F800000u;
}

fn firstBad(t: u32) -> u32 {
  let end = min(min(t * P.chunk + P.chunk, P.n), arrayLength(&grads));
  for (var i = t * P.chunk; i < end; i++) {
    if (nonfinite(grads[i])) { return i; }
  }
  return NONE;
}

@compute @workgroup_size(1, 1, 1)
fn main() {
  let r = P.recordIndex;
  // r < length first: r + 2 wraps for the 0xFFFFFFFF that turns the check off.
  let open = r < arrayLength(&stats) && r + 2u < arrayLength(&stats) && stats[r] == 0u;
  let lossBad = open && P.lossIndex < arrayLength(&stats) && nonfinite(bitcast<f32>(stats[P.lossIndex]));
  let count = min(P.parts, arrayLength(&partials));
  var acc = 0.0;
  var bad = NONE;
  for (var i = 0u; i < count; i++) {
    let part = partials[i];
    acc += part;
    if (open && !lossBad && bad == NONE && nonfinite(part)) { bad = firstBad(i); }
  }
  if (P.statsIndex < arrayLength(&stats)) { stats[P.statsIndex] = bitcast<u32>(acc); }
  let armed = open && !lossBad && bad == NONE;
  if (P.parts + 1u < arrayLength(&partials)) {
    partials[P.parts] = acc;
    partials[P.parts + 1u] = select(0.0, 1.0, armed);
  }
  if (!open) { return; }
  if (lossBad) {
    stats[r] = S.step;
    stats[r + 1u] = 1u;
    stats[r + 2u] = 0u;
  } else if (bad != NONE) {
    stats[r] = S.step;
    stats[r + 1u] = 2u;
    stats[r + 2u] = bad;
  } else {
    stats[r + 1u] = 3u;
    stats[r + 2u] = NONE;
  }
}
