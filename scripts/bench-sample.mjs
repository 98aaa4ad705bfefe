#!/usr/bin/env node
// `npm run bench:sample [-- CHARS]`: sampling speed of the default model (characters per second) at 1x, 4x, 16x T,
// for the sliding window, the growing context recomputed, and the growing context from the key/value cache.
import { runPage } from './browser.mjs';

const chars = Number(process.argv[2] ?? 32);
const r = await runPage(`/bench/sample.html?chars=${chars}`, { onLog: () => {} });
console.log(`adapter: ${r.adapter}; ${r.model}; ${r.chars} characters per context length, temperature 0.8`);
console.log('factor  prompt  context           path            seconds  chars/s');
for (const x of r.rows)
  console.log(
    `${String(x.factor).padStart(6)}  ${String(x.length).padStart(6)}  ${x.way.padEnd(16)}  ${x.path.padEnd(14)}  ` +
      `${x.seconds.toFixed(2).padStart(7)}  ${x.charsPerSecond.toFixed(1).padStart(7)}`,
  );
