// Backward of stream_qk_forward.
//   dout: [2B, H, T, hd] read
//   dx:   [2B, H, T, hd] write — dx[b] = 0 for b < B (the batch's own q/k are
//         unused), dx[b] = dout[b] + dout[b - B] for b >= B (the stream row
//         served itself and its batch row)
//   P: n = 2B*H*T*hd, half = B*H*T*hd

struct Params { n: u32, half: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.n) { return; }
  if (i < P.half) {
    dx[i] = 0.0;
  } else {
    dx[i] = dout[i] + dout[i - P.half];
  }
}
