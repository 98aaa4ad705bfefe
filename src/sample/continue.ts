// One sampling request against a trained text model: the same prompt cut to
// each context length (multiples of the training length T) and continued at
// each. The prompt is a validation passage (never trained on) or the user's
// own text, encoded with the run's tokenizer. Pure data in and out, so the
// request and its result travel over the run host's protocol as they are.

import { evalWindows } from '../data/batch';
import type { Corpus } from '../data/corpus';
import { fixedPassage } from '../engine';
import type { GptModel } from '../model/gpt';
import { continueTokens } from './generate';
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
  /** For a validation prompt: what the passage really says next (as many characters as were generated). */
  truth?: string;
  /** Prompt characters outside the run's vocabulary (read as the unknown id). */
  unknownChars: number;
}

export function checkSampleRequest(r: SampleRequest): void {
  checkSampling(r);
  if (!r.contexts.length || r.contexts.some((f) => !Number.isInteger(f) || f < 1))
    throw new RangeError(`context lengths are positive whole multiples of T, got ${r.contexts.join(',')}`);
  if (!Number.isInteger(r.chars) || r.chars < 1 || r.chars > 10_000)
    throw new RangeError(`characters to generate: 1..10000, got ${r.chars}`);
  if (r.prompt !== undefined && r.prompt.length === 0) throw new RangeError('the prompt is empty');
}

/**
 * The validation passage a sample starts from: the first of the evaluator's
 * window starts (evaluation seed `seed`) among windows long enough for the
 * longest context plus the characters to generate, so the true continuation
 * is there to compare with. Returns the longest prompt and what follows it.
 */
export function validationPrompt(
  corpus: Corpus,
  longest: number,
  chars: number,
  seed: number,
): { prompt: Uint32Array; next: Uint32Array } {
  const [w] = evalWindows(corpus.validation, 1, longest + chars, seed);
  const doc = corpus.validation[w.doc];
  return {
    prompt: doc.slice(w.start, w.start + longest),
    next: doc.slice(w.start + longest, w.start + longest + chars),
  };
}

/** Continues one prompt at every context length of the request; `evalSeed` picks the validation passage. */
export async function sampleModel(
  model: GptModel,
  corpus: Corpus,
  T: number,
  request: SampleRequest,
  evalSeed: number,
): Promise<SampleResult> {
  checkSampleRequest(request);
  const tok = corpus.tokenizer;
  const longest = Math.max(...request.contexts) * T;
  let prompt: Uint32Array;
  let truth: string | undefined;
  let unknownChars = 0;
  if (request.prompt !== undefined) {
    prompt = tok.encode(request.prompt);
    unknownChars = prompt.filter((id) => id === 0).length;
  } else {
    const v = validationPrompt(corpus, longest, request.chars, evalSeed);
    prompt = v.prompt;
    truth = tok.decode(v.next);
  }
  const blocks: SampleBlock[] = [];
  for (const factor of request.contexts) {
    const length = factor * T;
    // fixedseqqk reads a prefix of the same passage at every length, as at evaluation.
    const streamTokens = model.config.layers.includes('fixedseqqk') ? fixedPassage(corpus, length) : undefined;
    const cut = prompt.subarray(Math.max(0, prompt.length - length));
    const c = await continueTokens(model, cut, length, { ...request, streamTokens });
    blocks.push({ factor, length, prompt: tok.decode(cut), continuation: tok.decode(c.tokens), seconds: c.seconds });
  }
  return { request, trainLength: T, blocks, truth, unknownChars };
}
