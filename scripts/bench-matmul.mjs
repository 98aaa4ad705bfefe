#!/usr/bin/env node
// `node scripts/bench-matmul.mjs ['?variants=auto,scalar,vec4/s4&shapes=fwd,sq&reps=5&calls=10']`:
// GFLOP/s of the matmul kernels (bench/matmul.ts) in headless Chromium, one
// table row per shape and one column per variant.
import { runPage } from './browser.mjs';

const r = await runPage(`/bench/matmul.html${process.argv[2] ?? ''}`, {
  onLog: (t) => process.stderr.write(`${t}\n`),
});
console.log(`adapter: ${r.adapter}; ${r.calls} dispatches per submit, median of ${r.reps} submits; GFLOP/s`);
const variants = [...new Set(r.rows.map((x) => x.variant))];
const shapes = [...new Set(r.rows.map((x) => x.shape))];
console.log('shape'.padEnd(30), ...variants.map((v) => v.padStart(12)));
for (const s of shapes) {
  const cell = (v) => r.rows.find((x) => x.shape === s && x.variant === v)?.gflops.toFixed(2) ?? '-';
  console.log(s.padEnd(30), ...variants.map((v) => cell(v).padStart(12)));
}
