// Sampling speed of the default model: characters per second at 1x, 4x and
// 16x the training length (src/sample/generate.ts: one forward of the whole
// window and one logits readback per character). The weights are the initial
// ones: the speed does not depend on what the model learned.

import { DEFAULT_MODEL, Engine, loadBrown, requestDevice } from '../src/index';
import { continueTokens } from '../src/sample/generate';

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const chars = Number(q.get('chars') ?? 32);
  const { device, adapter } = await requestDevice();
  const engine = new Engine(device);
  const corpus = await loadBrown();
  const model = engine.createModel({ vocabSize: corpus.tokenizer.size });
  const T = DEFAULT_MODEL.trainLength;
  const text = corpus.validation.reduce((a, d) => (d.length > a.length ? d : a));
  const opts = { chars, temperature: 0.8, topK: 0, seed: 1 };
  await continueTokens(model, text.subarray(0, T), T, { ...opts, chars: 2 }); // warm-up: pipelines
  const rows = [];
  for (const f of [1, 4, 16]) {
    const r = await continueTokens(model, text.subarray(0, f * T), f * T, opts);
    rows.push({ factor: f, length: f * T, seconds: r.seconds, charsPerSecond: chars / r.seconds });
  }
  const result = {
    adapter: `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim(),
    model: `${DEFAULT_MODEL.nLayer} layers x ${DEFAULT_MODEL.nEmbd} wide, ${DEFAULT_MODEL.layers.join('/')}, T = ${T}`,
    chars,
    rows,
  };
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
  window.__result = result;
}

main().catch((e: unknown) => {
  window.__error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
});
