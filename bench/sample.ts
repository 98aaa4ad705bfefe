// Sampling speed of the default model: characters per second at 1x, 4x and
// 16x the training length (src/sample/generate.ts), in each way a character's
// logits are computed: the sliding window (one forward of the whole window per
// character), the growing context recomputed (one forward of a graph sized to
// its final length per character), and the growing context from the key/value
// cache (the prompt once, then one row per character). One logits readback per
// character in each. The weights are the initial ones: the speed does not
// depend on what the model learned.

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
  const ways = [
    { way: 'slide', context: 'slide', recompute: false },
    { way: 'grow, recomputed', context: 'grow', recompute: true },
    { way: 'grow, cached', context: 'grow', recompute: false },
  ] as const;
  // Warm-up: every pipeline of every way.
  for (const w of ways) await continueTokens(model, text.subarray(0, T), T, { ...opts, ...w, chars: 3 });
  const rows = [];
  for (const f of [1, 4, 16])
    for (const w of ways) {
      const r = await continueTokens(model, text.subarray(0, f * T), f * T, { ...opts, ...w });
      rows.push({
        factor: f,
        length: f * T,
        way: w.way,
        path: r.path,
        seconds: r.seconds,
        charsPerSecond: chars / r.seconds,
      });
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
