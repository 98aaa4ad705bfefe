// GELU forward, GPT-2's tanh approximation:
//   out = 0.5 * x * (1 + tanh(u)),  u = sqrt(2/pi) * (x + 0.044715 x^3)
//   inp: [n] read    out: [n] write    P: n
// One thread per element; 256-wide workgroups spread over x and y.
// Evaluated as x * sigmoid(2u), the same function: 1 + tanh(u) cancels in f32
// for x < -3 (6% error at x = -4.5), the sigmoid form does not.

struct Params { n: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

const S: f32 = 0.7978845608028654; // sqrt(2/pi)
const K: f32 = 0.044715;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.n) { return; }
  let x = inp[i];
  // Past |x| = 10 the sigmoid is 0 or 1 to f32 precision; clamping keeps x^3 finite.
  let xc = clamp(x, -10.0, 10.0);
  let u2 = 2.0 * S * (xc + K * xc * xc * xc);
  // exp of a non-positive argument only: no overflow.
  let e = exp(-abs(u2));
  let s = select(e / (1.0 + e), 1.0 / (1.0 + e), u2 >= 0.0);
  out[i] = x * s;
}
