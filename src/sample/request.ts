// A sampling request and its result as plain data, with no GPU code, so the
// command line (in Node) can build and check a request, and the run host's
// protocol can carry both as they are.
import { ConfigError } from '../errors';
import { checkSampling, type SamplingOptions } from './sampler';

export interface SampleRequest extends SamplingOptions {
  /** Context lengths as multiples of T, e.g. [1, 4, 16]. */
  contexts: number[];
  /** Characters to generate at each context length. */
  chars: number;
  seed: number;
  /** The user's prompt; absent: a validation passage. */
  prompt?: string;
}

export const DEFAULT_SAMPLE: SampleRequest = { contexts: [1, 4, 16], chars: 200, temperature: 0.8, topK: 0, seed: 1 };

export interface SampleBlock {
  /** Context length as a multiple of T, and in characters. */
  factor: number;
  length: number;
  /** The prompt as the model read it (at most `length` characters). */
  prompt: string;
  continuation: string;
  seconds: number;
}

export interface SampleResult {
  request: SampleRequest;
  /** The training length the factors multiply. */
  trainLength: number;
  blocks: SampleBlock[];
  /** For a validation prompt: what the passage really says next (up to as many characters as were generated). */
  truth?: string;
  /** Prompt characters outside the run's vocabulary (read as the unknown id). */
  unknownChars: number;
}

export function checkSampleRequest(r: SampleRequest): void {
  // A request may come in a message: its shape is checked too, not only its values.
  checkSampling(r);
  const fs: unknown = r.contexts;
  if (!Array.isArray(fs) || !fs.length || fs.length > 8 || fs.some((f) => !Number.isInteger(f) || f < 1))
    throw new ConfigError(`context lengths are 1 to 8 positive whole multiples of T, got ${String(fs)}`);
  if (!Number.isInteger(r.seed)) throw new ConfigError(`the sampling seed must be an integer, got ${r.seed}`);
  if (!Number.isInteger(r.chars) || r.chars < 1 || r.chars > 10_000)
    throw new ConfigError(`characters to generate: 1..10000, got ${r.chars}`);
  if (r.prompt !== undefined && (typeof r.prompt !== 'string' || r.prompt.length === 0))
    throw new ConfigError('the prompt is empty');
}
