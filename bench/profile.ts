// Per-kernel wall time of one training step of a config: each recorded
// dispatch is submitted alone and waited for, so the figures include the
// adapter's per-submit overhead (the step itself is one submit). The dispatch
// counts per program are exact (they do not depend on timing).

import { windowsPerChunk } from '../src/eval/chunk';
import { Program } from '../src/gpu/program';
import { DEFAULT_EVAL, DEFAULT_MODEL, DEFAULT_TRAIN, Engine, Graph, requestDevice, Trainer } from '../src/index';
import { add_inplace } from '../src/kernels/residual';

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

/** Median wall time of `runs` runs of `run` (one submit each, waited for), after one that compiles. */
async function medianMs(device: GPUDevice, run: () => void, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const t0 = performance.now();
    run();
    await device.queue.onSubmittedWorkDone();
    if (r > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor((runs - 1) / 2)];
}

/**
 * The cost of a dispatch inside one submit: `count` dispatches of an n-element add in one
 * pass, timed as one submit (median of 5), divided by `count`.
 */
async function dispatchCost(trainer: Trainer, count: number, n: number): Promise<number> {
  const ctx = trainer.model.ctx;
  const buf = { buffer: ctx.storage('dispatch cost a', n) };
  const dst = { buffer: ctx.storage('dispatch cost b', n) };
  const p = new Program(ctx);
  for (let i = 0; i < count; i++) add_inplace(p, dst, buf, n);
  const ms = await medianMs(ctx.device, () => p.run());
  p.destroy();
  ctx.destroyAll([buf.buffer, dst.buffer]);
  return ms / count;
}

/**
 * The optimiser program as a step runs it (inside a submit, no per-dispatch wait): `count`
 * copies in one pass, timed as one submit (median of 5), divided by `count`. It updates the
 * parameters each time, so it runs after everything else is timed.
 */
async function optimiserCost(trainer: Trainer, count: number): Promise<number> {
  const device = trainer.model.ctx.device;
  const ms = await medianMs(device, () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let i = 0; i < count; i++) trainer.optim.encode(pass);
    pass.end();
    device.queue.submit([enc.finish()]);
  });
  return ms / count;
}

/**
 * `?eval=F`: one evaluation chunk at F times the training length, as `npm run bench:eval` runs it
 * (the fused kernels, as many windows as a chunk holds, and the diagnostics the default evaluation
 * computes for its first chunk):
 * the forward program's per-kernel times and dispatches, and the whole chunk as one submit.
 */
async function profileEval(engine: Engine, vocab: number, factor: number) {
  const model = engine.createModel({ vocabSize: vocab });
  const L = factor * DEFAULT_MODEL.trainLength;
  const B = windowsPerChunk(model.config, L, engine.ctx.device.limits);
  const graph = new Graph(model, B, L, { training: false, fused: true, diagnostics: DEFAULT_EVAL.diagnostics });
  const N = B * L;
  graph.setBatch(new Uint32Array(N), new Uint32Array(N));
  const device = engine.ctx.device;
  const chunk = () => {
    graph.forward.run();
    graph.diagnostics?.run();
  };
  chunk(); // compiles every pipeline
  await device.queue.onSubmittedWorkDone();
  const totals = new Map<string, { ms: number; n: number }>();
  await timeProgram(device, graph.forward, totals);
  if (graph.diagnostics) await timeProgram(device, graph.diagnostics, totals);
  // A chunk at 16x takes tens of seconds here: the median of 3.
  const chunkMs = await medianMs(device, chunk, 3);
  const dispatches = graph.forward.dispatches.length + (graph.diagnostics?.dispatches.length ?? 0);
  graph.destroy();
  return { L, B, chunkMs, rows: rowsOf(totals), dispatches };
}

const rowsOf = (totals: Map<string, { ms: number; n: number }>) =>
  [...totals.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([k, v]) => ({ kernel: k, ms: +v.ms.toFixed(2), calls: v.n }));

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const { device } = await requestDevice();
  const engine = new Engine(device);
  const vocab = Number(q.get('vocab') ?? 96);
  if (q.get('eval')) {
    const result = { model: DEFAULT_MODEL, eval: await profileEval(engine, vocab, Number(q.get('eval'))) };
    (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
    window.__result = result;
    return;
  }
  const model = engine.createModel({ vocabSize: vocab });
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
  // A 64-element add is one workgroup; 64 x 1024 (a residual add of the default model) is 256.
  const dispatchMs = await dispatchCost(trainer, 100, 64);
  const residualMs = await dispatchCost(trainer, 100, 64 * N);
  const optimiserMs = await optimiserCost(trainer, 20);
  const rows = rowsOf(totals);
  const dispatches = Object.fromEntries(Object.entries(programs).map(([k, p]) => [k, p.dispatches.length]));
  const result = { model: DEFAULT_MODEL, stepMs, rows, dispatches, dispatchMs, residualMs, optimiserMs };
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
  window.__result = result;
}

main().catch((e: unknown) => {
  window.__error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
});
