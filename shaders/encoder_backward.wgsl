// Token embedding gradient: dwte[v, c] += sum over n with tokens[n] == v of dout[n, c]
//   dout: [N, C] read    tokens: [N] u32 read    dwte: [V, C] write (accumulated)
//   P: N, C, V, cBlocks = ceil(C / 256)
// Deterministic without atomics on floats: each (v, c) has one owner thread.
// A workgroup owns one token id v and 256 columns (workgroups spread over x
// and y, id = v * cBlocks + block). It scans the tokens 256 at a time: each
// lane tests one position, and only tiles holding v are walked, in order of
// n, so every sum is added in increasing n (the reference's order).

struct Params { N: u32, C: u32, V: u32, cBlocks: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read_write> dwte: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

const WG: u32 = 256u;
var<workgroup> hit: array<u32, 256>;
// Index (+1) of the last tile in which some lane found v. An integer atomicMax
// is order-independent, and being monotonic it never needs resetting.
var<workgroup> lastHitTile: atomic<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let w = wg.y * nwg.x + wg.x;
  let v = w / P.cBlocks;
  if (v >= P.V) { return; }
  let c = (w - v * P.cBlocks) * WG + li;
  var acc = 0.0;
  let tiles = (P.N + WG - 1u) / WG;
  for (var t = 0u; t < tiles; t++) {
    let n = t * WG + li;
    var h = 0u;
    if (n < P.N && tokens[n] == v) {
      h = 1u;
      atomicMax(&lastHitTile, t + 1u);
    }
    hit[li] = h;
    workgroupBarrier();
    if (atomicLoad(&lastHitTile) == t + 1u && c < P.C) {
      for (var k = 0u; k < WG; k++) {
        if (hit[k] != 0u) { acc += dout[(t * WG + k) * P.C + c]; }
      }
    }
    // hit[] and lastHitTile are rewritten by the next tile.
    workgroupBarrier();
  }
  if (c < P.C) { dwte[v * P.C + c] += acc; }
}
