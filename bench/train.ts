// Training throughput of a model config in this browser: steps per second and
// tokens per second after a warm-up, with the loss read back only at the end
// of each timed block (so the timing includes no per-step sync). With `live`,
// training with live evaluation off against on instead (train_live.ts).
import { DEFAULT_MODEL, DEFAULT_TRAIN, Engine, loadBrown, requestDevice, Trainer, trainBatch } from '../src/index';
import { Rng } from '../src/util/random';
import { liveBench } from './train_live';

declare global {
  interface Window {
    __result?: unknown;
    __error?: string;
  }
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const steps = Number(q.get('steps') ?? 20);
  const warmup = Number(q.get('warmup') ?? 3);
  const { device, adapter } = await requestDevice();
  const engine = new Engine(device);
  const corpus = await loadBrown();
  if (q.has('live')) {
    const every = Number(q.get('live')) || undefined;
    const live = await liveBench(engine, corpus, steps, Number(q.get('reps') ?? 3), every);
    const adapterName = `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim();
    window.__result = { adapter: adapterName, live };
    return;
  }
  const model = engine.createModel({ vocabSize: corpus.tokenizer.size });
  const cfg = { ...DEFAULT_TRAIN, steps: steps + warmup };
  const trainer = new Trainer(model, cfg);
  const rng = new Rng(1);
  const batches = Array.from({ length: steps + warmup }, () =>
    trainBatch(corpus.train, cfg.batchSize, cfg.seqLen, rng),
  );
  for (let i = 0; i < warmup; i++) await trainer.trainStep(batches[i], i === warmup - 1);
  const t0 = performance.now();
  let last = null;
  for (let i = 0; i < steps; i++) last = await trainer.trainStep(batches[warmup + i], i === steps - 1);
  const secs = (performance.now() - t0) / 1000;
  const result = {
    adapter: `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim(),
    model: { ...DEFAULT_MODEL, vocabSize: corpus.tokenizer.size },
    batch: cfg.batchSize,
    seqLen: cfg.seqLen,
    steps,
    seconds: secs,
    stepsPerSecond: steps / secs,
    tokensPerSecond: (steps * cfg.batchSize * cfg.seqLen) / secs,
    finalLoss: last?.loss,
  };
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
  trainer.destroy();
  model.destroy();
  window.__result = result;
}

main().catch((e: unknown) => {
  window.__error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
});
