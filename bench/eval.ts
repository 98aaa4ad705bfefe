// Evaluation of the default model at 1x..16x the training length: tokens per
// second and the peak bytes the evaluator holds at each length.

import { DEFAULT_EVAL, evaluateLengths } from '../src/eval/lengths';
import { DEFAULT_MODEL, Engine, loadBrown, requestDevice } from '../src/index';

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const windows = Number(q.get('windows') ?? 16);
  const { device, adapter } = await requestDevice();
  const engine = new Engine(device);
  const corpus = await loadBrown();
  const model = engine.createModel({ vocabSize: corpus.tokenizer.size });
  const T = DEFAULT_MODEL.trainLength;
  await evaluateLengths(model, corpus, T, { ...DEFAULT_EVAL, factors: [1], windows: 2 }); // warm-up: pipelines
  const rows = [];
  const base = engine.ctx.bytesInUse; // the model's own arenas, held throughout
  for (const f of [1, 2, 4, 8, 16]) {
    const t0 = performance.now();
    const r = await evaluateLengths(model, corpus, T, { ...DEFAULT_EVAL, factors: [f], windows });
    const secs = (performance.now() - t0) / 1000;
    rows.push({
      factor: f,
      length: f * T,
      seconds: secs,
      tokensPerSecond: r.tokens / secs,
      peakBytes: r.peakBytes[0].bytes,
      evaluatorBytes: r.peakBytes[0].bytes - base,
      meanLoss: r.lengths[0].meanLoss,
    });
  }
  const result = {
    adapter: `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim(),
    windows,
    modelBytes: base,
    rows,
  };
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
  window.__result = result;
}

main().catch((e: unknown) => {
  window.__error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
});
