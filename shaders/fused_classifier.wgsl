// Cross-entropy loss and its logit gradient in one pass over each row, one
// workgroup per row (rows spread over x and y):
//   losses[n]     = logsumexp(logits[n, :]) - logits[n, t],  t = targets[n]
//   dlogits[n, v] = (softmax(logits[n, :])[v] - (v == t)) * scale   (written)
//   logits: [N, V] read    targets: [N] u32 read
//   losses: [N] write      dlogits: [N, V] write
//   P: N, V, scale (e.g. 1 / number of scored positions, for a mean loss)
// A target >= V (0xFFFFFFFF marks an unscored position) gives loss 0 and a
// zero gradient row. Lanes keep an online (max, sum exp(x - max)) over a
// strided slice of the row (numerically stable for any V), merged in a fixed tree.

struct Params { N: u32, V: u32, scale: f32, _p0: u32 }

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<u32>;
@group(0) @binding(2) var<storage, read_write> losses: array<f32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

const WG: u32 = 256u;
// A finite "minus infinity": exp(NEG_BIG - m) is 0 without inf - inf = NaN.
const NEG_BIG: f32 = -3.0e38;
var<workgroup> redM: array<f32, 256>;
var<workgroup> redS: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  if (row >= P.N) { return; }
  let base = row * P.V;
  let t = targets[row];
  var m = NEG_BIG;
  var s = 0.0;
  for (var v = li; v < P.V; v += WG) {
    let x = logits[base + v];
    if (x > m) {
      s = s * exp(m - x) + 1.0;
      m = x;
    } else {
      s += exp(x - m);
    }
  }
  redM[li] = m;
  redS[li] = s;
  workgroupBarrier();
  for (var st = WG / 2u; st > 0u; st >>= 1u) {
    if (li < st) {
      let m1 = redM[li];
      let m2 = redM[li + st];
      let mm = max(m1, m2);
      redS[li] = redS[li] * exp(m1 - mm) + redS[li + st] * exp(m2 - mm);
      redM[li] = mm;
    }
    workgroupBarrier();
  }
  let rowMax = redM[0];
  let invSum = 1.0 / redS[0];
  let scored = t < P.V;
  if (li == 0u) {
    var loss = 0.0;
    if (scored) { loss = log(redS[0]) + rowMax - logits[base + t]; }
    losses[row] = loss;
  }
  for (var v = li; v < P.V; v += WG) {
    var d = 0.0;
    if (scored) {
      let p = exp(logits[base + v] - rowMax) * invSum;
      d = (p - select(0.0, 1.0, v == t)) * P.scale;
    }
    dlogits[base + v] = d;
  }
}
