// Queries/keys for the fixed-stream mechanisms (rndembqk, fixedseqqk).
//   x:   [2B, H, T, hd] read  — rows [0, B) are the batch, [B, 2B) the stream copies
//   out: [2B, H, T, hd] write — out[b] = x[B + b] for b < B (the batch takes its
//        queries/keys from the stream), out[b] = x[b] for b >= B (the stream
//        attends to itself, as standard attention)
//   P: n = 2B*H*T*hd, half = B*H*T*hd
// One thread per element; 256-wide workgroups spread over x and y.

struct Params { n: u32, half: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.n) { return; }
  if (i < P.half) {
    out[i] = x[i + P.half];
  } else {
    out[i] = x[i];
  }
}
