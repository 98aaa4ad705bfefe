// GELU backward, input gradient written (gelu_grad from gelu_common.wgsl,
// which src/kernels/gelu.ts prepends):
//   dinp = dout * gelu'(inp)
//   inp: [n] read    dout: [n] read    dinp: [n] write    P: n
// One thread per element; 256-wide workgroups spread over x and y.

struct Params { n: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.n) { return; }
  dinp[i] = dout[i] * gelu_grad(inp[i]);
}
