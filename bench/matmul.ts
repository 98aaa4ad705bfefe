// GFLOP/s of the matmul kernels on the default model's shapes and on squares.
// Each timing is `calls` back-to-back dispatches in one submit, waited for with
// onSubmittedWorkDone; the figure is the median over `reps` such submits.
// ?variants=auto,scalar,vec4,vec4/s4,... picks plans (`auto` is what gemm/matmul_* record);
// ?shapes=fwd,sq picks shape names by prefix.

import { GpuContext } from '../src/gpu/context';
import { Program } from '../src/gpu/program';
import { requestDevice } from '../src/index';
import {
  type GemmArgs,
  type GemmPlan,
  gemm,
  gemmWith,
  matmul_backward,
  matmul_forward,
  vec4Ok,
} from '../src/kernels/matmul';
import { randn } from '../src/util/random';

declare global {
  interface Window {
    __result?: unknown;
    __error?: string;
  }
}

interface Shape {
  name: string;
  M: number;
  N: number;
  K: number;
  /** How the engine calls it: forward X.W^T, input grad dY.W, weight grad dY^T.X, or plain row-major. */
  kind: 'fwd' | 'dinp' | 'dw' | 'sq';
}

const R = 1024; // rows N = B*T of the default model
const SHAPES: Shape[] = [
  { name: 'fwd X.W^T 1024x64 . 64x192', M: R, K: 64, N: 192, kind: 'fwd' },
  { name: 'fwd X.W^T 1024x64 . 64x256', M: R, K: 64, N: 256, kind: 'fwd' },
  { name: 'fwd X.W^T 1024x256 . 256x64', M: R, K: 256, N: 64, kind: 'fwd' },
  { name: 'fwd X.W^T 1024x64 . 64x96', M: R, K: 64, N: 96, kind: 'fwd' },
  { name: 'dinp dY.W 1024x192 . 192x64', M: R, K: 192, N: 64, kind: 'dinp' },
  { name: 'dinp dY.W 1024x256 . 256x64', M: R, K: 256, N: 64, kind: 'dinp' },
  { name: 'dinp dY.W 1024x64 . 64x256', M: R, K: 64, N: 256, kind: 'dinp' },
  { name: 'dw dY^T.X 192x1024 . 1024x64', M: 192, K: R, N: 64, kind: 'dw' },
  { name: 'dw dY^T.X 256x1024 . 1024x64', M: 256, K: R, N: 64, kind: 'dw' },
  { name: 'dw dY^T.X 64x1024 . 1024x256', M: 64, K: R, N: 256, kind: 'dw' },
  { name: 'dw dY^T.X 96x1024 . 1024x64', M: 96, K: R, N: 64, kind: 'dw' },
  { name: 'dw dY^T.X 64x1024 . 1024x64', M: 64, K: R, N: 64, kind: 'dw' },
  { name: 'sq 256', M: 256, K: 256, N: 256, kind: 'sq' },
  { name: 'sq 512', M: 512, K: 512, N: 512, kind: 'sq' },
  { name: 'sq 1024', M: 1024, K: 1024, N: 1024, kind: 'sq' },
];

/** Strides for each kind; A and B are plain buffers of M*K and K*N floats. */
function args(s: Shape, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer): GemmArgs {
  const { M, N, K } = s;
  if (s.kind === 'fwd') return { a, b, c, M, N, K, sAm: K, sAk: 1, sBk: 1, sBn: K };
  if (s.kind === 'dw') return { a, b, c, M, N, K, sAm: 1, sAk: M, sBk: N, sBn: 1, accumulate: true };
  return { a, b, c, M, N, K, sAm: K, sAk: 1, sBk: N, sBn: 1 };
}

/**
 * Records one call the way the engine does (`auto`: matmul_forward for `fwd`,
 * which transposes W first; matmul_backward for `dw`; gemm otherwise) or with
 * a forced plan `scalar`, `vec4`, `scalar/s4`, `vec4/s2`, ... Returns false
 * when the plan cannot run this shape (vec4 on W^T with stride K, split-K
 * that does not divide K).
 */
function record(p: Program, s: Shape, v: string, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer): boolean {
  const g = args(s, a, b, c);
  if (v === 'auto') {
    if (s.kind === 'fwd') matmul_forward(p, c, a, b, s.M, s.K, s.N);
    else if (s.kind === 'dw')
      matmul_backward(p, { dinp: null, dweight: c, dout: a, inp: b, weight: b, N: s.K, IC: s.N, OC: s.M });
    else gemm(p, g);
    return true;
  }
  const [kernel, split] = v.split('/s');
  const plan: GemmPlan = { kernel: kernel as GemmPlan['kernel'], splitK: Number(split ?? 1) };
  if ((plan.kernel === 'vec4' && !vec4Ok(g)) || g.K % plan.splitK !== 0) return false;
  gemmWith(p, g, plan);
  return true;
}

async function timeOnce(device: GPUDevice, p: Program): Promise<number> {
  const t0 = performance.now();
  p.run();
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const reps = Number(q.get('reps') ?? 5);
  const calls = Number(q.get('calls') ?? 10);
  const variants = (q.get('variants') ?? 'auto,scalar,vec4').split(',');
  const only = q.get('shapes')?.split(',');
  const shapes = only ? SHAPES.filter((s) => only.some((o) => s.name.startsWith(o))) : SHAPES;
  const { device, adapter } = await requestDevice();
  const ctx = new GpuContext(device);
  const rows: { shape: string; variant: string; ms: number; gflops: number }[] = [];
  for (const s of shapes) {
    const a = ctx.upload('a', randn(s.M * s.K, 1));
    const b = ctx.upload('b', randn(s.K * s.N, 2));
    const c = ctx.storage('c', s.M * s.N);
    // Variants are timed round-robin so a change in machine load hits them all alike.
    const runnable = variants.filter((v) => {
      const probe = new Program(ctx);
      const ok = record(probe, s, v, a, b, c);
      probe.destroy();
      return ok;
    });
    const progs = runnable.map((v) => {
      const p = new Program(ctx);
      for (let i = 0; i < calls; i++) record(p, s, v, a, b, c);
      return p;
    });
    for (const p of progs) await timeOnce(device, p); // pipeline compilation and first touch
    const times: number[][] = runnable.map(() => []);
    for (let r = 0; r < reps; r++)
      for (let i = 0; i < progs.length; i++) times[i].push(await timeOnce(device, progs[i]));
    runnable.forEach((v, i) => {
      const ms = median(times[i]) / calls;
      const gflops = (2 * s.M * s.N * s.K) / (ms * 1e6);
      rows.push({ shape: s.name, variant: v, ms, gflops });
      console.log(
        `${s.name.padEnd(30)} ${v.padEnd(14)} ${ms.toFixed(2).padStart(9)} ms ${gflops.toFixed(2).padStart(7)} GFLOP/s`,
      );
      progs[i].destroy();
    });
    ctx.destroyAll([a, b, c]);
  }
  const result = {
    adapter: `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim(),
    calls,
    reps,
    rows,
  };
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
  window.__result = result;
}

main().catch((e: unknown) => {
  window.__error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
});
