// float64 reference of runAttention (src/attention/run.ts): the same chain of
// op references.
import type { AttentionArgs } from '../attention/run';
import { checkAttentionArgs } from '../attention/run';
import {
  attention_probs_backward,
  attention_probs_forward,
  attention_values_backward,
  attention_values_forward,
} from './attention';
import { nonapprox_backward, nonapprox_forward } from './nonapprox';
import { reweight_backward, reweight_forward } from './reweight';
import { rope_backward, rope_forward } from './rope';

export interface ReferenceAttentionResult {
  out: Float64Array;
  att?: Float64Array;
  dq?: Float64Array;
  dk?: Float64Array;
  dv?: Float64Array;
}

export function referenceAttention(a: AttentionArgs): ReferenceAttentionResult {
  checkAttentionArgs(a);
  const { batch: B, heads: H, length: T, headDim: hd } = a;
  const nh = B * H * T * hd,
    nA = B * H * T * T;
  const F = (n: number) => new Float64Array(n);
  const out = F(nh);
  const grads = a.dOut !== undefined;
  if (a.mechanism === 'nonapprox') {
    const stats = F(B * H * T * 2);
    nonapprox_forward(out, stats, a.q, a.k, a.v, B, H, T, hd);
    if (!grads) return { out };
    const dq = F(nh),
      dk = F(nh),
      dv = F(nh);
    nonapprox_backward(dq, dk, dv, a.dOut!, out, stats, a.q, a.k, a.v, B, H, T, hd);
    return { out, dq, dk, dv };
  }
  const params = { mechanism: a.mechanism, alibi: a.positional === 'alibi', trainLength: a.trainLength };
  const rope = a.positional === 'rope';
  let qr: ArrayLike<number> = a.q,
    kr: ArrayLike<number> = a.k;
  if (rope) {
    const qq = F(nh),
      kk = F(nh);
    rope_forward(qq, a.q, B * H, T, hd);
    rope_forward(kk, a.k, B * H, T, hd);
    qr = qq;
    kr = kk;
  }
  const att = F(nA),
    rowstat = F(B * H * T);
  attention_probs_forward(att, rowstat, qr, kr, B, H, T, hd, params);
  let A = att;
  if (a.reweight) {
    A = F(nA);
    reweight_forward(A, att, B * H, T, a.reweight.p);
  }
  attention_values_forward(out, A, a.v, B, H, T, hd);
  if (!grads) return { out, att: A };
  const dv = F(nh),
    dA = F(nA);
  attention_values_backward(dA, dv, a.dOut!, A, a.v, B, H, T, hd);
  let datt = dA;
  if (a.reweight) {
    datt = F(nA);
    reweight_backward(datt, dA, att, A, B * H, T, a.reweight.p);
  }
  const dqr = F(nh),
    dkr = F(nh);
  attention_probs_backward(dqr, dkr, datt, att, rowstat, qr, kr, B, H, T, hd, params);
  if (!rope) return { out, att: A, dq: dqr, dk: dkr, dv };
  const dq = F(nh),
    dk = F(nh);
  rope_backward(dq, dqr, B * H, T, hd);
  rope_backward(dk, dkr, B * H, T, hd);
  return { out, att: A, dq, dk, dv };
}
