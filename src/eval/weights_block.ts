// A run's trained weights inside its results document (opt-in: they make a
// file larger, about 4/3 byte per parameter byte): float32 values as base64,
// with the run's config (and its text, for a run on the user's text) to
// rebuild the model, and a checksum. Read back, a block is checked whole; a
// foreign (another run's) or damaged block is refused with one line, and the
// results still read without it.

import { z } from 'zod';
import { ConfigError } from '../errors';
import { checkRunConfig, type RunConfig } from '../experiment/run_config';
import { base64ToBytes, bytesToBase64 } from '../util/base64';
import { fnv1a } from '../util/fnv1a';
import type { ResultsDoc } from './results';

export const WEIGHTS_FORMAT = 'attention-lab/weights';
export const WEIGHTS_VERSION = 1;
/** 64 MB of float32, the bound the run host keeps (src/host/kept_weights.ts). */
export const WEIGHTS_MAX_FLOATS = 16 * 1024 * 1024;
/** The user's text a block may carry (characters). */
export const WEIGHTS_MAX_TEXT = 10_000_000;

const blockSchema = z.object({
  format: z.literal(WEIGHTS_FORMAT),
  version: z.literal(WEIGHTS_VERSION),
  /** The results document's createdAt and seed: a block copied onto another run does not match them. */
  createdAt: z.string().max(50),
  seed: z.number().int().min(0),
  run: z.record(z.string(), z.unknown()),
  userText: z.string().max(WEIGHTS_MAX_TEXT).optional(),
  count: z.number().int().min(1).max(WEIGHTS_MAX_FLOATS),
  /** FNV-1a (32 bits, hex) of the float32 bytes. */
  fnv1a: z.string().regex(/^[0-9a-f]{8}$/),
  /** The float32 values' bytes, little-endian (every platform the lab runs on), as base64. */
  float32: z.string().max(Math.ceil((WEIGHTS_MAX_FLOATS * 4) / 3) * 4 + 4),
});

export type WeightsBlock = z.infer<typeof blockSchema>;

/** A results document as a file holds it: with its weights when they were asked for. */
export type ResultsDocWithWeights = ResultsDoc & { weights?: WeightsBlock };

export interface RunWeights {
  run: RunConfig;
  /** The user's text the run trained on, for a run on 'text'. */
  userText?: string;
  params: Float32Array;
}

export class WeightsError extends Error {
  override name = 'WeightsError';
}

/** FNV-1a of the float32 bytes, as the block writes it (8 hex digits). */
const checksum = (bytes: Uint8Array) => fnv1a(bytes).toString(16).padStart(8, '0');

function fromBase64(s: string): Uint8Array {
  try {
    return base64ToBytes(s);
  } catch {
    throw new WeightsError('weights: the float32 values are not valid base64');
  }
}

/** The block for `doc`'s run: its weights, config and (for a run on the user's text) the text. */
export function encodeWeights(doc: Pick<ResultsDoc, 'createdAt' | 'seed'>, w: RunWeights): WeightsBlock {
  const bytes = new Uint8Array(w.params.buffer, w.params.byteOffset, w.params.byteLength);
  return {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    createdAt: doc.createdAt,
    seed: doc.seed,
    run: w.run as unknown as Record<string, unknown>,
    ...(w.userText !== undefined ? { userText: w.userText } : {}),
    count: w.params.length,
    fnv1a: checksum(bytes),
    float32: bytesToBase64(bytes),
  };
}

/** Reads `doc`'s weights block back; throws a one-line WeightsError for a foreign or damaged one. */
export function decodeWeights(value: unknown, doc: ResultsDoc): RunWeights {
  const r = blockSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new WeightsError(`weights field '${issue.path.join('.') || '(block)'}' is invalid: ${issue.message}`);
  }
  const b = r.data;
  let run: RunConfig;
  try {
    run = checkRunConfig(b.run);
  } catch (e) {
    throw new WeightsError(`weights: the run config does not read (${e instanceof ConfigError ? e.message : e})`);
  }
  if (b.createdAt !== doc.createdAt || b.seed !== doc.seed || run.seed !== doc.seed)
    throw new WeightsError('weights: the block belongs to another run (its date or seed differ from the results)');
  const m = doc.model;
  if (run.model.nLayer !== m.nLayer || run.model.nHead !== m.nHead || run.model.nEmbd !== m.nEmbd)
    throw new WeightsError('weights: the block belongs to another model (its shape differs from the results)');
  if (run.data.source === 'task') throw new WeightsError('weights: only runs on text use their weights here');
  if (run.data.source === 'text' && b.userText === undefined)
    throw new WeightsError('weights: a run on your text needs its text in the block');
  const bytes = fromBase64(b.float32);
  if (bytes.length !== b.count * 4)
    throw new WeightsError(`weights: ${bytes.length} bytes where ${b.count} float32 values need ${b.count * 4}`);
  if (checksum(bytes) !== b.fnv1a) throw new WeightsError('weights: the checksum does not match (the file is damaged)');
  const params = new Float32Array(bytes.buffer, 0, b.count);
  return { run, ...(b.userText !== undefined ? { userText: b.userText } : {}), params };
}
