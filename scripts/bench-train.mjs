#!/usr/bin/env node
// `npm run bench:train`: training throughput of the default config in headless Chromium.
import { runPage } from './browser.mjs';

const steps = Number(process.argv[2] ?? 20);
const r = await runPage(`/bench/train.html?steps=${steps}`);
console.log(`adapter: ${r.adapter}`);
console.log(
  `default model (${r.model.nLayer} layers, width ${r.model.nEmbd}, ${r.model.nHead} heads, vocab ` +
    `${r.model.vocabSize}), batch ${r.batch} x T ${r.seqLen}`,
);
console.log(
  `${r.steps} steps in ${r.seconds.toFixed(2)} s: ${r.stepsPerSecond.toFixed(2)} steps/s, ` +
    `${Math.round(r.tokensPerSecond)} tokens/s, loss ${r.finalLoss?.toFixed(4)}`,
);
