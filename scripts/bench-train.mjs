#!/usr/bin/env node
// `npm run bench:train`: training throughput of the default config in headless Chromium.
// `npm run bench:train -- --live [steps] [reps]`: the same with live evaluation off and on.
import { runPage } from './browser.mjs';

// `--live [steps] [reps] [every]`: training tokens/s with live evaluation off and on (bench/train_live.ts).
const live = process.argv[2] === '--live';
const args = process.argv.slice(live ? 3 : 2);
if (live) {
  const steps = Number(args[0] ?? 101);
  const reps = Number(args[1] ?? 3);
  const every = args[2] ?? '';
  // Each rep trains two runs: on a loaded software adapter that is many minutes.
  const r = await runPage(`/bench/train.html?steps=${steps}&live=${every}&reps=${reps}`, { timeoutMs: 4 * 3600_000 });
  const l = r.live;
  console.log(`adapter: ${r.adapter}`);
  console.log(
    `default model through engine.train, ${l.steps} steps a run, live evaluation every ${l.liveEvalEvery} steps ` +
      '(1x, 4x, 16x T on 2 windows), off and on back to back:',
  );
  const liveSeconds = l.liveCost.reduce((a, c) => a + c.seconds, 0);
  console.log(
    `one live evaluation: ${liveSeconds.toFixed(2)} s (` +
      l.liveCost.map((c) => `${c.factor}x ${c.seconds.toFixed(2)} s`).join(', ') +
      `), about ${(liveSeconds / l.stepSeconds).toFixed(1)} training steps of ${l.stepSeconds.toFixed(2)} s`,
  );
  for (const [i, x] of l.reps.entries())
    console.log(
      `  rep ${i + 1}: off ${Math.round(x.off)} tokens/s, on ${Math.round(x.on)} tokens/s, ` +
        `on/off ${x.ratio.toFixed(3)}`,
    );
  console.log(
    `median on/off ${l.medianRatio.toFixed(3)} (${((1 - l.medianRatio) * 100).toFixed(1)}% slower with it on)`,
  );
  process.exit(0);
}
const steps = Number(args[0] ?? 20);
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
