// AdamW step over whole arenas, with global-norm gradient clipping, and the
// second half of the step's non-finite check (the parameters it writes).
//   grads:  [n] f32 (read), gradient arena
//   tail:   [*] f32 (read), the norm's partials buffer: tail[normIndex] = sum(grads^2)
//           and tail[normIndex + 1] = 1 when this step records a non-finite
//           parameter, both from grad_norm_final.wgsl
//   stats:  [*] u32 (read_write, atomic), the stats buffer seen as bits; the
//           non-finite record {step, what, index} at stats[recordIndex..+3)
//   params: [n] f32 (read-write), parameter arena; [0, nDecay) gets weight decay
//   m, v:   [n] f32 (read-write), first and second moment arenas
//   H: per-step hyper-parameters (rewritten with queue.writeBuffer every step)
//   S: { n, nDecay, normIndex, groups, recordIndex }
//   St: { step }, the same per-step uniform grad_norm_final.wgsl records from
// The clip scale is recomputed by every thread from the one norm slot, so the
// norm never visits the CPU. Grid-stride over a capped number of workgroups
// keeps the dispatch 1-D for arenas of any size.
// Non-finite parameters: when grad_norm_final.wgsl found nothing recorded and
// a finite loss and gradients, it set the record's what to 3 and its index to
// 0xFFFFFFFF (the step slot still 0: an empty record) and the flag in tail. A
// thread that writes a NaN or an infinity then stores the step and lowers the
// index to its first such index; the atomic minimum over all threads leaves the
// first one in the arena, in any order of execution. The norm and the flag come
// from a plain buffer and a finite step runs no atomic: on a software adapter
// an atomic costs even in lanes that skip it.

struct Hyper {
  lr: f32, beta1: f32, beta2: f32, eps: f32,
  weightDecay: f32, bias1: f32, bias2: f32, gradClip: f32,
}
struct Sizes {
  n: u32, nDecay: u32, normIndex: u32, groups: u32,
  recordIndex: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}
struct Step { step: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> grads: array<f32>;
@group(0) @binding(1) var<storage, read> tail: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<uniform> H: Hyper;
@group(0) @binding(7) var<uniform> S: Sizes;
@group(0) @binding(8) var<uniform> St: Step;

const WG: u32 = 256u;
const NONE: u32 = 0xFFFFFFFFu;

// Bits, not x != x: compilers may assume floats are finite.
fn nonfinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7F800000u) == 0x7F800000u;
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  var scale = 1.0;
  if (H.gradClip > 0.0) {
    var nsq = 0.0;
    if (S.normIndex < arrayLength(&tail)) { nsq = tail[S.normIndex]; }
    // The 1e-6 keeps an all-zero gradient from dividing by zero.
    scale = min(1.0, H.gradClip / (sqrt(nsq) + 1e-6));
  }
  // Arrays may be bound larger than n (arena padding); bound by all of them.
  let n = min(S.n, min(min(arrayLength(&grads), arrayLength(&params)), min(arrayLength(&m), arrayLength(&v))));
  let stride = S.groups * WG;
  var bad = NONE;
  for (var i = wg.x * WG + lid.x; i < n; i += stride) {
    let g = scale * grads[i];
    let mi = H.beta1 * m[i] + (1.0 - H.beta1) * g;
    let vi = H.beta2 * v[i] + (1.0 - H.beta2) * (g * g);
    m[i] = mi;
    v[i] = vi;
    let p = params[i];
    var upd = (mi / H.bias1) / (sqrt(vi / H.bias2) + H.eps);
    // Decoupled decay (AdamW): on the raw parameter, not through the moments.
    if (i < S.nDecay) { upd += H.weightDecay * p; }
    let np = p - H.lr * upd;
    params[i] = np;
    // Indices rise along the loop, so a thread's first hit is its minimum. Branch-free: a
    // branch here costs a software adapter more than the check.
    bad = min(bad, select(NONE, i, nonfinite(np)));
  }
  let r = S.recordIndex;
  let armed = S.normIndex + 1u < arrayLength(&tail) && tail[S.normIndex + 1u] != 0.0;
  if (bad == NONE || !armed || r >= arrayLength(&stats) || r + 2u >= arrayLength(&stats)) { return; }
  atomicStore(&stats[r], St.step);
  atomicMin(&stats[r + 2u], bad);
}
