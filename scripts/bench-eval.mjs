#!/usr/bin/env node
// `npm run bench:eval [-- WINDOWS]`: evaluation speed and memory of the default model, 1x..16x.
import { runPage } from './browser.mjs';

const windows = Number(process.argv[2] ?? 16);
const r = await runPage(`/bench/eval.html?windows=${windows}`, { onLog: () => {} });
console.log(
  `adapter: ${r.adapter}; ${r.windows} windows per length; model arenas ${(r.modelBytes / 1e6).toFixed(2)} MB`,
);
console.log('factor  length  seconds  tokens/s  peak MB  evaluator MB (peak - model)');
for (const x of r.rows)
  console.log(
    `${String(x.factor).padStart(6)}  ${String(x.length).padStart(6)}  ${x.seconds.toFixed(2).padStart(7)}  ` +
      `${Math.round(x.tokensPerSecond).toString().padStart(8)}  ${(x.peakBytes / 1e6).toFixed(2).padStart(7)}  ` +
      `${(x.evaluatorBytes / 1e6).toFixed(2).padStart(7)}`,
  );
const [a, , c, , e] = r.rows;
console.log(
  `evaluator bytes 16x / 1x = ${(e.evaluatorBytes / a.evaluatorBytes).toFixed(2)} (linear: <= 16; 4x / 1x = ` +
    `${(c.evaluatorBytes / a.evaluatorBytes).toFixed(2)})`,
);
console.log(`total evaluation time 1x..16x: ${r.rows.reduce((s, x) => s + x.seconds, 0).toFixed(1)} s`);
