// Shared prelude of every attention kernel (shaders/attention_*.wgsl): each is
// compiled as this text followed by its own (src/kernels/attention.ts and
// src/kernels/attention_fused.ts join them), so these helpers exist once.
// TypeScript twins (MECH_ID, ROW_NORMALISED, MAXHD) are in
// src/kernels/attention_constants.ts; tests/unit/attention_constants.test.ts
// checks that the two agree.

override MECH: u32 = 0u;  // 0 softmax, 1 lssa, 2 taylor, 3 sigmoid, 4 relu
override ALIBI: u32 = 0u;
// The logit's form, apart from phi (KERNEL_FORM in src/kernels/attention_constants.ts):
// QKNORM = 1 L2-normalises q and k per head (lssa, lssacap, lssmax); LENSCALE picks the
// scale c_i of the 1-based query position i1: 0 1/sqrt(d_h), 1 ln(d_h) ln(i1),
// 2 ln(d_h) ln(min(i1, T)) (lssacap: frozen past the training length).
override QKNORM: u32 = 0u;
override LENSCALE: u32 = 0u;
// The head width as a pipeline constant (a P.hd, where a kernel has one, is the same):
// loops over it get a fixed trip count, so compilers unroll them and keep the
// query row in registers.
override HD: u32 = 16u;

// MECH <= LAST_NORMALISED: the row-normalised mechanisms (rows l1-normalised: softmax, lssa, taylor).
const LAST_NORMALISED: u32 = 2u;
// eps inside lssa's L2 norm, |x| = sqrt(sum x^2 + EPS), and in its gradient's projection.
const EPS: f32 = 1e-6;
// Largest head width (the query row's array).
const MAXHD: u32 = 256u;

// ALiBi slope of 0-based head h of H: 2^(-8 (h + 1) / H).
fn alibi_slope(h: u32, H: u32) -> f32 {
  return exp2(-8.0 * f32(h + 1u) / f32(H));
}

// The scale c_i of a query at 1-based position i1 (lnTrain = ln T).
fn row_scale(i1: f32, invSqrtHd: f32, lnHd: f32, lnTrain: f32) -> f32 {
  if (LENSCALE == 1u) { return lnHd * log(i1); }
  if (LENSCALE == 2u) { return lnHd * min(log(i1), lnTrain); }
  return invSqrtHd;
}

// log(1 + u) for u in [0, 1], accurate for tiny u so softplus(x << 0) stays > 0.
fn log1p_small(u: f32) -> f32 {
  if (u < 1e-4) { return u * (1.0 - 0.5 * u); }
  return log(1.0 + u);
}

// phi of a logit x (softmax: x has the row max subtracted); i1 is the 1-based query
// position and lnTrain = ln(trainLength) (sigmoid's offset).
fn phi(x: f32, i1: f32, lnTrain: f32) -> f32 {
  switch MECH {
    case 0u: { return exp(x); }
    case 1u: { return max(x, 0.0) + log1p_small(exp(-abs(x))); }     // softplus, stable form
    case 2u: { return 1.0 + x + 0.5 * x * x; }
    case 3u: { let y = x - lnTrain; let e = exp(-abs(y)); return select(e, 1.0, y >= 0.0) / (1.0 + e); }
    default: { return max(x, 0.0) / i1; }
  }
}
