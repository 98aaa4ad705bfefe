// GELU with GPT-2's tanh approximation and its derivative, prepended to
// gelu_forward.wgsl, gelu_backward.wgsl and the matmul kernels that apply
// them in their store (matmul_nt_gelu.wgsl, matmul_vec4_dgelu.wgsl), so the
// fused and the separate kernels compute the same bits.
//   gelu(x)      = 0.5 * x * (1 + tanh(u)),  u = sqrt(2/pi) * (x + 0.044715 x^3)
//   gelu_grad(x) = 0.5 (1 + t) + 0.5 x (1 - t^2) u',  t = tanh(u),  u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
// Evaluated through s = sigmoid(2u), the same functions: 0.5 (1 + t) = s and
// 1 - t^2 = 4 s (1 - s). 1 + tanh(u) cancels in f32 for x < -3 (6% error at
// x = -4.5); the sigmoid form does not.

const GELU_S: f32 = 0.7978845608028654; // sqrt(2/pi)
const GELU_K: f32 = 0.044715;

fn gelu(x: f32) -> f32 {
  // Past |x| = 10 the sigmoid is 0 or 1 to f32 precision; clamping keeps x^3 finite.
  let xc = clamp(x, -10.0, 10.0);
  let u2 = 2.0 * GELU_S * (xc + GELU_K * xc * xc * xc);
  // exp of a non-positive argument only: no overflow.
  let e = exp(-abs(u2));
  let s = select(e / (1.0 + e), 1.0 / (1.0 + e), u2 >= 0.0);
  return x * s;
}

fn gelu_grad(inp: f32) -> f32 {
  // Past |x| = 10 the derivative is 0 or 1 to f32 precision; clamping keeps
  // x^3 finite and leaves the result unchanged.
  let x = clamp(inp, -10.0, 10.0);
  let x2 = x * x;
  let u2 = 2.0 * GELU_S * (x + GELU_K * x2 * x);
  // e = exp(-|2u|) <= 1: s and 1 - s both without overflow or cancellation.
  let e = exp(-abs(u2));
  let lo = e / (1.0 + e);
  let hi = 1.0 / (1.0 + e);
  let s = select(lo, hi, u2 >= 0.0);
  let sComp = select(hi, lo, u2 >= 0.0);
  return s + 2.0 * x * s * sComp * GELU_S * (1.0 + 3.0 * GELU_K * x2);
}
