// Mean loss, stage 1 of 2: per-chunk sums over scored positions.
//   losses: [N] read    targets: [N] u32 read (0xFFFFFFFF = unscored, skipped)
//   partials: [G, 2] write   (sum of losses, count of scored positions) per chunk
//   P: N, G
// Thread g (64 per workgroup, workgroups spread over x and y) owns the chunk
// [g * 256, (g + 1) * 256) and adds it in order: deterministic, and no
// barriers (very expensive on software adapters). Counts are exact in f32 up
// to 2^24 positions.

struct Params { N: u32, G: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> losses: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<u32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 64u;
const CHUNK: u32 = 256u;
const IGNORE: u32 = 0xFFFFFFFFu;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let g = (wg.y * nwg.x + wg.x) * WG + li;
  if (g >= P.G) { return; }
  let end = min(P.N, (g + 1u) * CHUNK);
  var s = 0.0;
  var c = 0.0;
  for (var n = g * CHUNK; n < end; n++) {
    if (targets[n] != IGNORE) {
      s += losses[n];
      c += 1.0;
    }
  }
  partials[2u * g] = s;
  partials[2u * g + 1u] = c;
}
