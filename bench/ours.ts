// Our side of the benchmark, behind the same PeerKernel interface as the peers:
// matmul through gemm (the plan the engine records), attention through the
// training kernels (probs -> values, and their backward) and through the fused
// evaluation forward. Each `run(reps)` encodes the recorded dispatches `reps`
// times into one submit and waits for it.
import type { GpuContext } from '../src/gpu/context';
import { Program } from '../src/gpu/program';
import {
  attention_probs_backward,
  attention_probs_forward,
  attention_values_backward,
  attention_values_forward,
} from '../src/kernels/attention';
import { attention_fused_forward } from '../src/kernels/attention_fused';
import { gemm } from '../src/kernels/matmul';
import type { AttentionInputs, PeerKernel, PeerMechanism } from './peers/common';

function kernel(ctx: GpuContext, p: Program): PeerKernel {
  const dev = ctx.device;
  return {
    async run(reps: number) {
      const enc = dev.createCommandEncoder({ label: 'bench' });
      const pass = enc.beginComputePass();
      for (let i = 0; i < reps; i++) p.encode(pass);
      pass.end();
      dev.queue.submit([enc.finish()]);
      await dev.queue.onSubmittedWorkDone();
    },
    destroy: () => p.destroy(),
  };
}

function upload(ctx: GpuContext, p: Program, label: string, data: Float32Array): GPUBuffer {
  const b = p.scratch(label, data.length);
  ctx.device.queue.writeBuffer(b, 0, data);
  return b;
}

/** C [M,N] = A [M,K] . B [K,N], row-major, the plan `gemm` picks. */
export function ourMatmul(
  ctx: GpuContext,
  M: number,
  K: number,
  N: number,
  a: Float32Array,
  b: Float32Array,
): PeerKernel {
  const p = new Program(ctx);
  const A = upload(ctx, p, 'A', a),
    B = upload(ctx, p, 'B', b),
    C = p.scratch('C', M * N);
  gemm(p, { a: A, b: B, c: C, M, N, K, sAm: K, sAk: 1, sBk: N, sBn: 1 });
  return kernel(ctx, p);
}

export type OurAttentionPass = 'fwd' | 'fwd+bwd' | 'fused fwd';

/** Attention of q, k, v (after RoPE) through the training kernels, or the fused forward. */
export function ourAttention(
  ctx: GpuContext,
  mech: PeerMechanism,
  x: AttentionInputs,
  pass: OurAttentionPass,
): PeerKernel {
  const { B, H, T, hd } = x;
  const p = new Program(ctx);
  const q = upload(ctx, p, 'q', x.q),
    k = upload(ctx, p, 'k', x.k),
    v = upload(ctx, p, 'v', x.v);
  const nh = B * H * T * hd,
    nA = B * H * T * T;
  const out = p.scratch('out', nh);
  const params = { mechanism: mech, alibi: false, trainLength: T };
  if (pass === 'fused fwd') {
    attention_fused_forward(p, { out, q, k, v, B, H, L: T, hd, params, reweightP: null });
    return kernel(ctx, p);
  }
  const att = p.scratch('att', nA),
    rowstat = p.scratch('rowstat', B * H * T);
  attention_probs_forward(p, { att, rowstat, q, k, B, H, T, hd, params });
  attention_values_forward(p, { out, att, v, B, H, T, hd });
  if (pass === 'fwd+bwd') {
    const dOut = upload(ctx, p, 'dOut', x.dOut);
    const datt = p.scratch('datt', nA),
      dq = p.scratch('dq', nh),
      dk = p.scratch('dk', nh),
      dv = p.scratch('dv', nh);
    attention_values_backward(p, { datt, dv, dout: dOut, att, v, B, H, T, hd });
    attention_probs_backward(p, { dq, dk, datt, att, rowstat, q, k, B, H, T, hd, params });
  }
  return kernel(ctx, p);
}
