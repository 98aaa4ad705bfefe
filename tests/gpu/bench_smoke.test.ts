// `npm run bench` in smoke mode (one repetition, tiny sizes) produces a valid
// results document with every section filled and both peers run.
import { expect, test } from 'vitest';
import { runBench, SMOKE } from '../../bench/bench';
import { benchResultSchema } from '../../bench/schema';

test('the smoke bench produces a valid JSON document with ours and both peers', async () => {
  const r = await runBench(SMOKE);
  const doc = benchResultSchema.parse(JSON.parse(JSON.stringify(r))); // survives the JSON round trip
  expect(doc.errors).toEqual([]);
  expect(doc.smoke).toBe(true);
  const impls = (rows: { impl: string }[]) => [...new Set(rows.map((x) => x.impl))].sort();
  const all = ['TensorFlow.js', 'jax-js', 'ours'];
  expect(impls(doc.matmul)).toEqual(all);
  expect(impls(doc.attention)).toEqual(all);
  expect(impls(doc.training.rows)).toEqual(all);
  expect(doc.matmul).toHaveLength(SMOKE.matmul.length * 3);
  // Per mechanism and length: fused fwd (ours), fwd and fwd+bwd (all three).
  expect(doc.attention).toHaveLength(2 * SMOKE.attention.lengths.length * 7);
  expect(doc.evaluation.map((e) => e.factor)).toEqual(SMOKE.evalFactors);
  // Same initial weights and first batch: the three first losses agree (peers.test.ts checks this closely).
  const losses = doc.training.rows.map((x) => x.firstLoss);
  for (const l of losses) expect(Math.abs(l - losses[0])).toBeLessThan(1e-3 * losses[0]);
  expect(doc.roofline.fraction).toBeGreaterThan(0);
  // No 512 square and no length >= 256 in the smoke run.
  for (const v of [doc.targets.matmul512VsJax, doc.targets.attentionFusedFwdWorst]) expect(v).toBeNull();
  expect(doc.targets.trainVsJax).toBeGreaterThan(0);
});

test('the schema rejects a document with a missing section or a bad spread', () => {
  expect(benchResultSchema.safeParse({}).success).toBe(false);
  const spreadOk = { median: 2, min: 1, max: 3, n: 3 };
  const row = { shape: 's', M: 1, K: 1, N: 1, impl: 'ours', gflops: 1 };
  const field = benchResultSchema.shape.matmul;
  expect(field.safeParse([{ ...row, ms: spreadOk }]).success).toBe(true);
  expect(field.safeParse([{ ...row, ms: { ...spreadOk, min: 5 } }]).success).toBe(false);
});
