// Cross-entropy loss and its logit gradient, one thread per row, 64 rows per
// workgroup (workgroups spread over x and y):
//   losses[n]     = logsumexp(logits[n, :]) - logits[n, t],  t = targets[n]
//   dlogits[n, v] = (softmax(logits[n, :])[v] - (v == t)) * scale   (written)
//   logits: [N, V] read    targets: [N] u32 read
//   losses: [N] write      dlogits: [N, V] write
//   P: N, V, scale (e.g. 1 / number of scored positions, for a mean loss)
// A target >= V (0xFFFFFFFF marks an unscored position) gives loss 0 and a
// zero gradient row. A thread walks its row in order (deterministic, and no
// barriers, which software adapters make very expensive): the row max first,
// so that sum exp(x - max) cannot overflow for any V, then that sum, then the
// gradient. Separate max and sum passes cost one exp per element, where an
// online (running max, rescaled sum) pass costs two.

struct Params { N: u32, V: u32, scale: f32, _p0: u32 }

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<u32>;
@group(0) @binding(2) var<storage, read_write> losses: array<f32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = (wg.y * nwg.x + wg.x) * WG + li;
  if (row >= P.N) { return; }
  let base = row * P.V;
  let t = targets[row];
  if (t >= P.V) {
    losses[row] = 0.0;
    for (var v = 0u; v < P.V; v++) { dlogits[base + v] = 0.0; }
    return;
  }
  var m = logits[base];
  for (var v = 1u; v < P.V; v++) { m = max(m, logits[base + v]); }
  var s = 0.0;
  for (var v = 0u; v < P.V; v++) { s += exp(logits[base + v] - m); }
  losses[row] = log(s) + m - logits[base + t];
  // scale folded into 1 / sum: one multiply per element instead of two.
  let k = P.scale / s;
  for (var v = 0u; v < P.V; v++) {
    dlogits[base + v] = exp(logits[base + v] - m) * k;
  }
  dlogits[base + t] = (exp(logits[base + t] - m) / s - 1.0) * P.scale;
}
