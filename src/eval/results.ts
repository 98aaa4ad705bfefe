// The results document of one run (spec: experiments.md, "Results"): what
// the lab stores, plots, exports and shares, and what the headless runner
// writes. Versioned, and validated whenever it is read back.

import { z } from 'zod';
import { MECHANISMS, POSITIONALS, REWEIGHT_MODES } from '../config';
import type { ErrorKind } from '../errors';

export const RESULTS_SCHEMA = 'attention-lab/results';
export const RESULTS_VERSION = 1;

const finite = z.number().finite();
const nonneg = finite.min(0);
const posInt = z.number().int().min(1);
const loss = finite.min(0).max(1e4);

const modelConfig = z.object({
  vocabSize: posInt.max(1 << 20),
  nLayer: posInt.max(64),
  nHead: posInt.max(64),
  nEmbd: posInt.max(4096),
  layers: z.array(z.enum(MECHANISMS)).max(64),
  positional: z.enum(POSITIONALS),
  tiedEmbeddings: z.boolean(),
  mlpRatio: posInt.max(16),
  reweight: z.object({ mode: z.enum(REWEIGHT_MODES), p: finite.min(1).max(100) }),
  trainLength: posInt.max(1 << 16),
  initStd: finite.positive().max(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
});

const lengthResult = z.object({
  length: posInt,
  factor: finite.positive(),
  windows: posInt,
  meanLoss: loss,
  tailLoss: loss,
  positions: z.array(loss).max(4096),
  bucketSize: posInt,
  // Optional, so documents written before them still read.
  meanLossSe: nonneg.optional(),
  tailLossSe: nonneg.optional(),
  positionsSe: z.array(nonneg).max(4096).optional(),
  fullLoss: loss.optional(),
  fullMinusWindowed: finite.optional(),
});

const headDiagnostics = z.object({
  length: posInt,
  layer: z.number().int().min(0),
  head: z.number().int().min(0),
  entropy: nonneg,
  sinkMass: nonneg,
  localFocus: nonneg,
  meanDistance: nonneg,
});

const lossVsLength = z.object({
  label: z.string().max(200),
  reweightP: finite.min(1).max(100).nullable(),
  hybridskip: z.boolean(),
  /** Windowed evaluation: each query saw only its last `window` keys (absent: every key). */
  window: posInt.optional(),
  lengths: z.array(lengthResult).max(64),
});

/**
 * Which sweep and pair a run is, and which shard ran it (src/experiment/sweep.ts): absent for a run that is no
 * part of a sweep (the lab's own runs).
 */
const sweepTag = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  name: z.string().max(200),
  labels: z.array(z.string().max(200)).min(1).max(32),
  pairs: z
    .array(z.tuple([z.number().int().min(0).max(31), z.number().int().min(0)]))
    .min(1)
    .max(512),
  plan: z.array(posInt.max(512)).min(1).max(512),
  shard: z.tuple([posInt.max(512), posInt.max(512)]),
  pair: z.number().int().min(0).max(511),
  command: z.array(z.string().max(5000)).max(200).nullable(),
});

export const resultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  version: z.literal(RESULTS_VERSION),
  engineVersion: z.string().max(50),
  createdAt: z.string().max(50),
  label: z.string().max(200),
  adapter: z.object({
    vendor: z.string().max(200),
    architecture: z.string().max(200),
    description: z.string().max(500),
  }),
  model: modelConfig,
  train: z.record(z.string(), z.union([finite, z.string().max(200), z.boolean()])),
  evaluation: z.record(z.string(), z.unknown()),
  data: z.object({
    name: z.string().max(200),
    vocabSize: posInt,
    trainTokens: z.number().int().min(0),
    validationTokens: z.number().int().min(0),
  }),
  seed: z.number().int().min(0),
  trainingCurve: z
    .array(z.object({ step: posInt, loss, valLoss: loss.optional(), lr: nonneg, tokensPerSecond: nonneg }))
    .max(100_000),
  /** The model's own evaluation first, then re-weighting sweeps and hybridskip. */
  lossVsLength: z.array(lossVsLength).min(1).max(32),
  diagnostics: z.array(headDiagnostics).max(100_000),
  passkey: z
    .object({
      trainedOn: z.enum(['passkey', 'text']),
      points: z
        .array(
          z.object({
            length: posInt,
            accuracy: finite.min(0).max(1),
            trials: posInt,
            /** Digits in the key (chance 10^-digits); results before it was recorded get the generator's. */
            digits: posInt.max(64).optional(),
          }),
        )
        .max(64),
    })
    .nullable(),
  baselines: z.object({ uniform: loss, unigram: loss }),
  timings: z.object({
    trainSeconds: nonneg,
    evalSeconds: nonneg,
    trainTokensPerSecond: nonneg,
    evalTokensPerSecond: nonneg,
  }),
  sweep: sweepTag.optional(),
});

export type ResultsDoc = z.infer<typeof resultsSchema>;
export type LossVsLength = z.infer<typeof lossVsLength>;

export class ResultsError extends Error {
  override name = 'ResultsError';
  /** A results document (a file, a link, a stored run) that does not read: a data problem. */
  readonly kind: ErrorKind = 'data';
}

/** Largest results document accepted (characters of JSON). */
export const RESULTS_MAX_CHARS = 5_000_000;

/** Parses and validates a results document; the error names the first bad field. */
export function parseResults(input: string | unknown): ResultsDoc {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > RESULTS_MAX_CHARS)
      throw new ResultsError(`results file is ${input.length} characters; the limit is ${RESULTS_MAX_CHARS}`);
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new ResultsError(`results file is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (
    value &&
    typeof value === 'object' &&
    'version' in value &&
    (value as { version: unknown }).version !== RESULTS_VERSION
  )
    throw new ResultsError(
      `results version ${String((value as { version: unknown }).version)} is not supported (this lab reads version ` +
        `${RESULTS_VERSION})`,
    );
  const r = resultsSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ResultsError(`results field '${issue.path.join('.') || '(root)'}' is invalid: ${issue.message}`);
  }
  return r.data;
}
