// A sampling request and its result as plain data, with no GPU code, so the
// command line (in Node) can build and check a request, and the run host's
// protocol can carry both as they are.
import { ConfigError } from '../errors';
import { CONTEXT_MODES, type ContextMode, type ContinuationPath } from './context_mode';
import { checkSampling, type SamplingOptions } from './sampler';

export interface SampleRequest extends SamplingOptions {
  /** Context lengths as multiples of T, e.g. [1, 4, 16]. */
  contexts: number[];
  /** Characters to generate at each context length. */
  chars: number;
  seed: number;
  /** The user's prompt; absent: a validation passage. */
  prompt?: string;
  /**
   * 'slide': a window of each context length that slides; 'grow': that much prompt read once, then the
   * context grows by each generated character. Absent (requests from before the field): 'slide'.
   */
  context?: ContextMode;
}

export const DEFAULT_SAMPLE: SampleRequest = {
  contexts: [1, 4, 16],
  chars: 200,
  temperature: 0.8,
  topK: 0,
  seed: 1,
  context: 'slide',
};

/** A request's context mode, 'slide' when it has none. */
export const sampleContext = (r: Pick<SampleRequest, 'context'>): ContextMode => r.context ?? 'slide';

export interface SampleBlock {
  /** Context length as a multiple of T, and in characters. */
  factor: number;
  length: number;
  /** The prompt as the model read it (at most `length` characters). */
  prompt: string;
  continuation: string;
  seconds: number;
  /** How each character's logits were computed (absent in results from before the field: 'slide'). */
  path?: ContinuationPath;
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
  /** Grow mode: whether this model uses the key/value cache or recomputes, and why (incrementalSupport). */
  incremental?: string;
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
  const mode: unknown = r.context;
  if (mode !== undefined && !CONTEXT_MODES.includes(mode as ContextMode))
    throw new ConfigError(`the sampling context is ${CONTEXT_MODES.join(' or ')}, got ${String(mode)}`);
}

/** A passage to read with a run's weights: its loss on each character and its top-5 guesses there. */
export interface PassageRequest {
  /** The passage's length as a multiple of T (1..16): the model reads up to 16x its training length. */
  factor: number;
  /** The user's own text (cut to its last factor x T + 1 characters); absent: a validation passage. */
  text?: string;
}

export interface PassagePrediction {
  char: string;
  p: number;
}

export interface PassageResult {
  request: PassageRequest;
  trainLength: number;
  /** The passage, one entry per character; chars[0] is only read, chars[i + 1] is predicted at position i. */
  chars: string[];
  /** Loss (nats) of chars[i + 1], having read chars[0..i]. */
  losses: number[];
  /** The model's five most likely characters at each position, most likely first. */
  top: PassagePrediction[][];
}

/** The longest passage a request may ask for, as a multiple of T. */
export const MAX_PASSAGE_FACTOR = 16;

export function checkPassageRequest(r: PassageRequest): void {
  const f: unknown = r.factor;
  if (!Number.isInteger(f) || (f as number) < 1 || (f as number) > MAX_PASSAGE_FACTOR)
    throw new ConfigError(`the passage's length is 1 to ${MAX_PASSAGE_FACTOR} whole multiples of T, got ${String(f)}`);
  if (r.text !== undefined && (typeof r.text !== 'string' || [...r.text].length < 2))
    throw new ConfigError('the passage needs at least two characters: one to read, one to predict');
}
