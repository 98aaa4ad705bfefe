// Mean loss, stage 2 of 2: out[outIndex] = sum of partial sums / sum of partial counts (0 if none).
//   partials: [G, 2] read (from loss_mean_partials.wgsl)    out: [*] write, one element
//   P: G, outIndex
// One thread adds the G = N / 256 partials in order: a few thousand adds at
// most, cheaper than a tree's barriers on software adapters, and deterministic.

struct Params { G: u32, outIndex: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(1)
fn main() {
  var s = 0.0;
  var c = 0.0;
  for (var g = 0u; g < P.G; g++) {
    s += partials[2u * g];
    c += partials[2u * g + 1u];
  }
  if (P.outIndex < arrayLength(&out)) {
    out[P.outIndex] = select(0.0, s / c, c > 0.0);
  }
}
