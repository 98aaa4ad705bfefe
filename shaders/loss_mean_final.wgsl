// Mean loss, stage 2 of 2: out[outIndex] = sum of partial sums / sum of partial counts (0 if none).
//   partials: [G, 2] read (from loss_mean_partials.wgsl)    out: [*] write, one element
//   P: G, outIndex
// One workgroup: lanes walk the partials in strides of 256, then a fixed tree.

struct Params { G: u32, outIndex: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

const WG: u32 = 256u;
var<workgroup> redS: array<f32, 256>;
var<workgroup> redC: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  var c = 0.0;
  for (var g = li; g < P.G; g += WG) {
    s += partials[2u * g];
    c += partials[2u * g + 1u];
  }
  redS[li] = s;
  redC[li] = c;
  workgroupBarrier();
  for (var st = WG / 2u; st > 0u; st >>= 1u) {
    if (li < st) {
      redS[li] += redS[li + st];
      redC[li] += redC[li + st];
    }
    workgroupBarrier();
  }
  if (li == 0u && P.outIndex < arrayLength(&out)) {
    out[P.outIndex] = select(0.0, redS[0] / redC[0], redC[0] > 0.0);
  }
}
