#!/usr/bin/env node
// `npm run profile [-- '?B=16']`: per-kernel wall time of one training step of
// the default model in headless Chromium (each dispatch submitted alone), and
// the step's dispatch count per program (exact, unlike the times).
// `npm run profile -- '?eval=16'`: the same for one evaluation chunk at 16x the
// training length (the fused kernels, as `npm run bench:eval` runs them).
import { runPage } from './browser.mjs';

const r = await runPage(`/bench/profile.html${process.argv[2] ?? ''}`, { onLog: () => {} });
const table = (rows) => {
  const sum = rows.reduce((a, x) => a + x.ms, 0);
  console.log(`sum of the kernels below, each submitted alone: ${sum.toFixed(1)} ms`);
  console.log('kernel'.padEnd(34), 'ms (all calls)'.padStart(14), 'calls'.padStart(6));
  for (const x of rows) console.log(x.kernel.padEnd(34), String(x.ms).padStart(14), String(x.calls).padStart(6));
};
if (r.eval) {
  const e = r.eval;
  console.log(`one evaluation chunk, ${e.B} windows of ${e.L} tokens (one submit): ${e.chunkMs.toFixed(1)} ms`);
  console.log(`dispatches per chunk: ${e.dispatches}`);
  table(e.rows);
  process.exit(0);
}
const d = r.dispatches;
const total = d.forward + d.backward + d.optimiser;
console.log(`one training step (one submit, after a warm-up step): ${r.stepMs.toFixed(1)} ms`);
console.log(
  `dispatches per training step: ${total} (forward ${d.forward}, backward ${d.backward}, optimiser ${d.optimiser})`,
);
console.log(
  `one dispatch inside a submit (100 in one pass): a 64-element add ${r.dispatchMs.toFixed(3)} ms, ` +
    `a residual-sized add (64 x B*T) ${r.residualMs.toFixed(3)} ms`,
);
console.log(
  `the optimiser program inside a submit (20 in one pass): ${r.optimiserMs.toFixed(2)} ms ` +
    `(${d.optimiser} dispatches; the table below waits after each)`,
);
table(r.rows);
