// float64 CPU references of the fused kernels: each is the composition of the
// references of the kernels it replaces, so a GPU test of a fused kernel
// compares it with exactly what the separate kernels computed.
//   matmul_forward_gelu  (shaders/matmul_nt_gelu.wgsl)        = matmul_forward, gelu_forward
//   matmul_backward_dgelu (shaders/matmul_vec4_dgelu.wgsl)    = matmul_backward, gelu_backward
//   residual_rmsnorm_forward (shaders/residual_rmsnorm_forward.wgsl) = residual_forward, rmsnorm_forward
//   qkv_split_rope_forward (shaders/qkv_split_rope_forward.wgsl) = qkv_split_forward, rope_forward on q and k
//   qkv_split_rope_backward (shaders/qkv_split_rope_backward.wgsl) = rope_backward on dq and dk, qkv_split_backward
//   attention_values_forward_merged (attention_values_forward.wgsl, outMerged) = attention_values_forward, heads_merge
//   attention_values_backward_merged (attention_values_backward.wgsl, doutMerged) = heads_merge_backward, its backward
import { attention_values_backward, attention_values_forward } from './attention';
import { gelu_backward, gelu_forward } from './gelu';
import { heads_merge_backward, heads_merge_forward, qkv_split_backward, qkv_split_forward } from './heads';
import { matmul_backward, matmul_forward } from './matmul';
import { residual_forward } from './residual';
import { rmsnorm_forward } from './rmsnorm';
import { rope_backward, rope_forward } from './rope';

/** out = inp . weight^T (the pre-activation) and outGelu = gelu(out). */
export function matmul_forward_gelu(
  out: Float64Array,
  outGelu: Float64Array,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  N: number,
  IC: number,
  OC: number,
): void {
  matmul_forward(out, inp, weight, N, IC, OC);
  gelu_forward(outGelu, out, N * OC);
}

/**
 * The backward of out = gelu(pre) . weight^T (inp = gelu(pre)): dpre = gelu'(pre) * (dout . weight)
 * written, dweight += dout^T . inp.
 */
export function matmul_backward_dgelu(
  dpre: Float64Array,
  dweight: Float64Array,
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  pre: ArrayLike<number>,
  weight: ArrayLike<number>,
  N: number,
  IC: number,
  OC: number,
): void {
  const dinp = new Float64Array(N * IC);
  matmul_backward(dinp, dweight, dout, inp, weight, N, IC, OC);
  gelu_backward(dpre, pre, dinp, N * IC);
}

/** res = a + b; out, rstd = rmsnorm(res). The backward is rmsnorm_backward's, added to both a and b. */
export function residual_rmsnorm_forward(
  res: Float64Array,
  out: Float64Array,
  rstd: Float64Array,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  weight: ArrayLike<number>,
  N: number,
  C: number,
): void {
  residual_forward(res, a, b, N * C);
  rmsnorm_forward(out, rstd, res, weight, N, C);
}

/** qkv [B,T,3C] -> rope(q), rope(k), v [B,H,T,hd]. */
export function qkv_split_rope_forward(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  qkv: ArrayLike<number>,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const n = B * H * T * hd;
  const [q0, k0] = [new Float64Array(n), new Float64Array(n)];
  qkv_split_forward(q0, k0, v, qkv, B, T, H, hd);
  rope_forward(q, q0, B * H, T, hd);
  rope_forward(k, k0, B * H, T, hd);
}

/** dqkv [B,T,3C] written from the gradients at rope(q), rope(k) and v. */
export function qkv_split_rope_backward(
  dqkv: Float64Array,
  dq: ArrayLike<number>,
  dk: ArrayLike<number>,
  dv: ArrayLike<number>,
  B: number,
  T: number,
  H: number,
  hd: number,
): void {
  const n = B * H * T * hd;
  const [dq0, dk0] = [new Float64Array(n), new Float64Array(n)];
  rope_backward(dq0, dq, B * H, T, hd);
  rope_backward(dk0, dk, B * H, T, hd);
  qkv_split_backward(dqkv, dq0, dk0, dv, B, T, H, hd);
}

/** out [B,T,H*hd] = the heads of att . v, merged. */
export function attention_values_forward_merged(
  out: Float64Array,
  att: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  const y = new Float64Array(B * H * T * hd);
  attention_values_forward(y, att, v, B, H, T, hd);
  heads_merge_forward(out, y, B, T, H, hd);
}

/** datt, dv written from the gradient of the merged output, dout [B,T,H*hd]. */
export function attention_values_backward_merged(
  datt: Float64Array,
  dv: Float64Array,
  dout: ArrayLike<number>,
  att: ArrayLike<number>,
  v: ArrayLike<number>,
  B: number,
  H: number,
  T: number,
  hd: number,
): void {
  const dy = new Float64Array(B * H * T * hd);
  heads_merge_backward(dy, dout, B, T, H, hd);
  attention_values_backward(datt, dv, dy, att, v, B, H, T, hd);
}
