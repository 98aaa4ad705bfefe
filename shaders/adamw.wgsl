// AdamW step over whole arenas, with global-norm gradient clipping.
//   grads:  [n] f32 (read), gradient arena
//   stats:  [*] f32 (read), stats[statsIndex] = sum(grads^2) from grad_norm_final.wgsl
//   params: [n] f32 (read-write), parameter arena; [0, nDecay) gets weight decay
//   m, v:   [n] f32 (read-write), first and second moment arenas
//   H: per-step hyper-parameters (rewritten with queue.writeBuffer every step)
//   S: { n, nDecay, statsIndex, groups }
// The clip scale is recomputed by every thread from the one stats slot, so the
// norm never visits the CPU. Grid-stride over a capped number of workgroups
// keeps the dispatch 1-D for arenas of any size.

struct Hyper {
  lr: f32, beta1: f32, beta2: f32, eps: f32,
  weightDecay: f32, bias1: f32, bias2: f32, gradClip: f32,
}
struct Sizes { n: u32, nDecay: u32, statsIndex: u32, groups: u32 }

@group(0) @binding(0) var<storage, read> grads: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<uniform> H: Hyper;
@group(0) @binding(6) var<uniform> S: Sizes;

const WG: u32 = 256u;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  var scale = 1.0;
  if (H.gradClip > 0.0) {
    var nsq = 0.0;
    if (S.statsIndex < arrayLength(&stats)) { nsq = stats[S.statsIndex]; }
    // The 1e-6 keeps an all-zero gradient from dividing by zero.
    scale = min(1.0, H.gradClip / (sqrt(nsq) + 1e-6));
  }
  // Arrays may be bound larger than n (arena padding); bound by all of them.
  let n = min(S.n, min(min(arrayLength(&grads), arrayLength(&params)), min(arrayLength(&m), arrayLength(&v))));
  let stride = S.groups * WG;
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
    params[i] = p - H.lr * upd;
  }
}
