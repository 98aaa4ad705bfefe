// Per-kernel wall time of one training step of a config: each recorded
// dispatch is submitted alone and waited for, so the figures include the
// adapter's per-submit overhead (the step itself is one submit). The dispatch
// counts per program are exact (they do not depend on timing).

import type { Program } from '../src/gpu/program';
import { DEFAULT_MODEL, DEFAULT_TRAIN, Engine, requestDevice, Trainer } from '../src/index';

async function timeProgram(
  device: GPUDevice,
  prog: Program,
  totals: Map<string, { ms: number; n: number }>,
): Promise<void> {
  for (const d of prog.dispatches) {
    const t0 = performance.now();
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.workgroups);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    const e = totals.get(d.label) ?? { ms: 0, n: 0 };
    e.ms += performance.now() - t0;
    e.n++;
    totals.set(d.label, e);
  }
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const { device } = await requestDevice();
  const engine = new Engine(device);
  const model = engine.createModel({ vocabSize: Number(q.get('vocab') ?? 96) });
  const trainer = new Trainer(model, { ...DEFAULT_TRAIN, batchSize: Number(q.get('B') ?? DEFAULT_TRAIN.batchSize) });
  const N = trainer.graph.s.N;
  trainer.graph.setBatch(new Uint32Array(N), new Uint32Array(N));
  const programs = { forward: trainer.graph.forward, backward: trainer.graph.backward, optimiser: trainer.optim };
  const totals = new Map<string, { ms: number; n: number }>();
  const batch = { input: new Uint32Array(N), target: new Uint32Array(N) };
  // A first step compiles every pipeline and writes the optimiser's per-step uniforms.
  await trainer.trainStep(batch, true);
  for (const prog of Object.values(programs)) await timeProgram(device, prog, totals);
  const t0 = performance.now();
  await trainer.trainStep(batch, true);
  const stepMs = performance.now() - t0;
  const rows = [...totals.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([k, v]) => ({ kernel: k, ms: +v.ms.toFixed(2), calls: v.n }));
  const dispatches = Object.fromEntries(Object.entries(programs).map(([k, p]) => [k, p.dispatches.length]));
  const result = { model: DEFAULT_MODEL, stepMs, rows, dispatches };
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
  window.__result = result;
}

main().catch((e: unknown) => {
  window.__error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
});
