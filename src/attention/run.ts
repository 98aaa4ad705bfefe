// runAttention: one attention step on the GPU through the same kernels the
// trainer records (no test-only path), for tests, notebooks and outside checks.
import type { Positional } from '../config';
import type { ErrorKind } from '../errors';
import { GpuContext } from '../gpu/context';
import { Program } from '../gpu/program';
import {
  attention_probs_backward,
  attention_probs_forward,
  attention_values_backward,
  attention_values_forward,
  type NormalisedMechanism,
} from '../kernels/attention';
import { KERNEL_ROW_NORMALISED, NORMALISED_MECHANISMS } from '../kernels/attention_constants';
import { nonapprox_backward, nonapprox_forward } from '../kernels/nonapprox';
import { reweight_backward, reweight_forward } from '../kernels/reweight';
import { rope_backward, rope_forward, rope_table } from '../kernels/rope';

export type AttentionMechanism = NormalisedMechanism | 'nonapprox';

export interface AttentionArgs {
  mechanism: AttentionMechanism;
  positional: Positional;
  /** When present, the re-weighting pass is applied (row-normalised mechanisms only). */
  reweight?: { p: number };
  /** Training length T (used by `sigmoid`). */
  trainLength: number;
  batch: number;
  heads: number;
  length: number;
  headDim: number;
  /** [batch, heads, length, headDim], after the projections (nonapprox: q after its SiLU), before RoPE. */
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  /** Same shape as out; when given, gradients are returned. */
  dOut?: Float32Array;
}

export interface AttentionResult {
  out: Float32Array;
  dq?: Float32Array;
  dk?: Float32Array;
  dv?: Float32Array;
}

export class AttentionArgsError extends Error {
  override name = 'AttentionArgsError';
  readonly kind: ErrorKind = 'config';
}

const MECHS: readonly AttentionMechanism[] = [...NORMALISED_MECHANISMS, 'nonapprox'];
const ROW_NORMALISED: readonly AttentionMechanism[] = KERNEL_ROW_NORMALISED;

/** Throws an AttentionArgsError naming the first problem with `a`. */
export function checkAttentionArgs(a: AttentionArgs): void {
  const bad = (m: string) => {
    throw new AttentionArgsError(`runAttention: ${m}`);
  };
  if (!MECHS.includes(a.mechanism)) bad(`unknown mechanism '${a.mechanism}' (one of ${MECHS.join(', ')})`);
  if (!['rope', 'alibi', 'nope'].includes(a.positional)) bad(`unknown positional scheme '${a.positional}'`);
  for (const [name, v] of [
    ['batch', a.batch],
    ['heads', a.heads],
    ['length', a.length],
    ['headDim', a.headDim],
  ] as const)
    if (!Number.isInteger(v) || v < 1) bad(`${name} must be a positive integer, got ${v}`);
  if (a.positional === 'rope' && a.headDim % 2 !== 0) bad(`rope needs an even headDim, got ${a.headDim}`);
  if (a.mechanism === 'nonapprox' && a.positional === 'alibi')
    bad('alibi does not apply to nonapprox (it has no pairwise scores); use nope or rope (a no-op there)');
  if (a.mechanism === 'sigmoid' && !(a.trainLength > 0)) bad(`sigmoid needs trainLength > 0, got ${a.trainLength}`);
  if (a.reweight) {
    if (!ROW_NORMALISED.includes(a.mechanism))
      bad(`re-weighting applies to row-normalised mechanisms (${ROW_NORMALISED.join(', ')}), not ${a.mechanism}`);
    if (!(a.reweight.p >= 1) || !Number.isFinite(a.reweight.p))
      bad(`re-weighting p must be a finite number >= 1, got ${a.reweight.p}`);
  }
  const n = a.batch * a.heads * a.length * a.headDim;
  for (const [name, arr] of [
    ['q', a.q],
    ['k', a.k],
    ['v', a.v],
    ['dOut', a.dOut],
  ] as const) {
    if (arr === undefined) continue;
    if (!(arr instanceof Float32Array)) bad(`${name} must be a Float32Array`);
    if (arr.length !== n)
      bad(
        `${name} has ${arr.length} elements; ` +
          `[batch ${a.batch}, heads ${a.heads}, length ${a.length}, headDim ${a.headDim}] needs ${n}`,
      );
  }
}

const contexts = new WeakMap<GPUDevice, GpuContext>();

export async function runAttention(device: GPUDevice, a: AttentionArgs): Promise<AttentionResult> {
  checkAttentionArgs(a);
  let ctx = contexts.get(device);
  if (!ctx) contexts.set(device, (ctx = new GpuContext(device)));
  const { batch: B, heads: H, length: T, headDim: hd } = a;
  const nh = B * H * T * hd;
  const nA = B * H * T * T;
  const p = new Program(ctx);
  const buf = (label: string, n: number) => p.scratch(label, n);
  const up = (label: string, data: Float32Array) => {
    const b = buf(label, data.length);
    device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const q = up('q', a.q),
    k = up('k', a.k),
    v = up('v', a.v);
  const out = buf('out', nh);
  const grads = a.dOut !== undefined;
  const dOut = grads ? up('dOut', a.dOut!) : null;
  const dq = grads ? buf('dq', nh) : null,
    dk = grads ? buf('dk', nh) : null,
    dv = grads ? buf('dv', nh) : null;

  if (a.mechanism === 'nonapprox') {
    // RoPE rotates q_j and k_j by the same angle, so s_j = q_j.k_j is unchanged: skipped.
    const stats = buf('stats', B * H * T * 2);
    nonapprox_forward(p, { out, stats, q, k, v, B, H, T, hd });
    if (grads) nonapprox_backward(p, { dq: dq!, dk: dk!, dv: dv!, dout: dOut!, out, stats, q, k, v, B, H, T, hd });
  } else {
    const params = { mechanism: a.mechanism, alibi: a.positional === 'alibi', trainLength: a.trainLength };
    const rope = a.positional === 'rope';
    const table = rope ? rope_table(p, T, hd) : null;
    const qr = rope ? buf('q_rope', nh) : q,
      kr = rope ? buf('k_rope', nh) : k;
    if (rope) {
      rope_forward(p, qr, q, B * H, T, hd, table!);
      rope_forward(p, kr, k, B * H, T, hd, table!);
    }
    const att = buf('att', nA),
      rowstat = buf('rowstat', B * H * T);
    attention_probs_forward(p, { att, rowstat, q: qr, k: kr, B, H, T, hd, params });
    const attRw = a.reweight ? buf('att_reweighted', nA) : null;
    if (attRw) reweight_forward(p, attRw, att, B * H, T, a.reweight!.p);
    attention_values_forward(p, { out, att: attRw ?? att, v, B, H, T, hd });
    if (grads) {
      const datt = buf('datt', nA);
      if (attRw) {
        const dattRw = buf('datt_reweighted', nA);
        attention_values_backward(p, { datt: dattRw, dv: dv!, dout: dOut!, att: attRw, v, B, H, T, hd });
        reweight_backward(p, datt, dattRw, att, attRw, B * H, T, a.reweight!.p);
      } else attention_values_backward(p, { datt, dv: dv!, dout: dOut!, att, v, B, H, T, hd });
      const dqr = rope ? buf('dq_rope', nh) : dq!,
        dkr = rope ? buf('dk_rope', nh) : dk!;
      attention_probs_backward(p, { dq: dqr, dk: dkr, datt, att, rowstat, q: qr, k: kr, B, H, T, hd, params });
      if (rope) {
        rope_backward(p, dq!, dqr, B * H, T, hd, table!);
        rope_backward(p, dk!, dkr, B * H, T, hd, table!);
      }
    }
  }
  try {
    device.pushErrorScope('validation');
    p.run();
    const err = await device.popErrorScope();
    if (err) throw new Error(`runAttention: WebGPU validation error: ${err.message}`);
    const res: AttentionResult = { out: await ctx.read(out, nh) };
    if (grads) {
      res.dq = await ctx.read(dq!, nh);
      res.dk = await ctx.read(dk!, nh);
      res.dv = await ctx.read(dv!, nh);
    }
    return res;
  } finally {
    p.destroy();
  }
}
