// Mean loss, stage 1 of 2: per-chunk sums over scored positions.
//   losses: [N] read    targets: [N] u32 read (0xFFFFFFFF = unscored, skipped)
//   partials: [G, 2] write   (sum of losses, count of scored positions) per chunk
//   P: N, G
// Workgroup g (spread over x and y) owns the chunk [g * 1024, (g + 1) * 1024):
// each lane adds 4 elements in order, then a fixed tree. Counts are exact in
// f32 up to 2^24 positions.

struct Params { N: u32, G: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> losses: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<u32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
const PER: u32 = 4u;
const IGNORE: u32 = 0xFFFFFFFFu;
var<workgroup> redS: array<f32, 256>;
var<workgroup> redC: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let g = wg.y * nwg.x + wg.x;
  if (g >= P.G) { return; }
  var s = 0.0;
  var c = 0.0;
  for (var k = 0u; k < PER; k++) {
    let n = g * WG * PER + k * WG + li;
    if (n < P.N && targets[n] != IGNORE) {
      s += losses[n];
      c += 1.0;
    }
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
  if (li == 0u) {
    partials[2u * g] = redS[0];
    partials[2u * g + 1u] = redC[0];
  }
}
