// The JSON document `npm run bench` writes to bench/results/ (validated on
// write by scripts/bench.mjs's page and by tests/gpu/bench_smoke.test.ts).
import { z } from 'zod';

export const BENCH_SCHEMA = 'attention-lab/bench';
export const BENCH_VERSION = 1;

const finite = z.number().finite();
const pos = finite.positive();
const nonneg = finite.min(0);

/** Median and spread (min, max) of the repetitions of one timing. */
const spread = z
  .object({ median: pos, min: pos, max: pos, n: z.number().int().min(1) })
  .refine((s) => s.min <= s.median && s.median <= s.max, 'min <= median <= max');

export const IMPLS = ['ours', 'jax-js', 'TensorFlow.js'] as const;
const impl = z.enum(IMPLS);

export const benchResultSchema = z.object({
  schema: z.literal(BENCH_SCHEMA),
  version: z.literal(BENCH_VERSION),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}T/),
  adapter: z.string().min(1),
  smoke: z.boolean(),
  options: z.object({
    reps: z.number().int().min(1),
    calls: z.number().int().min(1),
    attnReps: z.number().int().min(1),
    trainRounds: z.number().int().min(1),
    trainStepsPerRound: z.number().int().min(1),
  }),
  matmul: z
    .array(
      z.object({
        shape: z.string(),
        M: z.number().int(),
        K: z.number().int(),
        N: z.number().int(),
        impl,
        ms: spread,
        gflops: pos,
      }),
    )
    .min(1),
  attention: z
    .array(
      z.object({
        mechanism: z.enum(['softmax', 'lssa']),
        length: z.number().int().min(1),
        batch: z.number().int(),
        heads: z.number().int(),
        headDim: z.number().int(),
        pass: z.enum(['fwd', 'fwd+bwd', 'fused fwd']),
        impl,
        ms: spread,
      }),
    )
    .min(1),
  training: z.object({
    model: z.object({
      nLayer: z.number().int(),
      nEmbd: z.number().int(),
      nHead: z.number().int(),
      vocabSize: z.number().int(),
      batch: z.number().int(),
      seqLen: z.number().int(),
    }),
    rows: z.array(z.object({ impl, tokensPerSecond: spread, stepMs: pos, firstLoss: finite })).min(1),
  }),
  evaluation: z
    .array(
      z.object({
        factor: z.number().int().min(1),
        length: z.number().int().min(1),
        seconds: pos,
        tokensPerSecond: pos,
        peakBytes: nonneg,
        evaluatorBytes: nonneg,
      }),
    )
    .min(1),
  roofline: z.object({
    bestGflops: pos,
    bestImpl: impl,
    bestShape: z.string(),
    trainFlopsPerStep: pos,
    trainGflops: pos,
    fraction: nonneg,
  }),
  /** Ratios ours / peer (higher is better for ours) for each stated target; null where a peer did not run. */
  targets: z.object({
    matmul512VsJax: finite.nullable(),
    matmul1024VsJax: finite.nullable(),
    trainVsJax: finite.nullable(),
    trainVsTf: finite.nullable(),
    /** Worst (smallest) peer time / our time over lengths >= 256, per pass compared. */
    attentionFusedFwdWorst: finite.nullable(),
    attentionFwdBwdWorst: finite.nullable(),
  }),
  /** A peer (or part) that failed: what, and the exact error. */
  errors: z.array(z.object({ where: z.string(), error: z.string() })),
});

export type BenchResult = z.infer<typeof benchResultSchema>;
export type Spread = BenchResult['matmul'][number]['ms'];

export function spreadOf(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], n: s.length };
}
