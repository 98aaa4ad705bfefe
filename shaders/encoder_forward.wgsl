// Token embedding lookup: out[n, c] = wte[tokens[n], c]
//   tokens: [N] u32 read    wte: [V, C] read    out: [N, C] write    P: N, C
// One thread per output element; 256-wide workgroups spread over x and y.
// V is not passed: a token past the end of wte (arrayLength / C rows) gives 0.

struct Params { N: u32, C: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> tokens: array<u32>;
@group(0) @binding(1) var<storage, read> wte: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.N * P.C) { return; }
  let n = i / P.C;
  let c = i - n * P.C;
  let t = tokens[n];
  var v = 0.0;
  // Compare rows, not t * C, which could wrap around u32 for a garbage id.
  if (t < arrayLength(&wte) / P.C) { v = wte[t * P.C + c]; }
  out[i] = v;
}
