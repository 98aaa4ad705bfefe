// One sampling request against a trained text model: the same prompt cut to
// each context length (multiples of the training length T) and continued at
// each. The prompt is a validation passage (never trained on) or the user's
// own text, encoded with the run's tokenizer. The request and its result are
// plain data (src/sample/request.ts), so they travel over the run host's protocol.

import { evalWindows } from '../data/batch';
import type { Corpus } from '../data/corpus';
import { fixedPassage } from '../engine';
import type { GptModel } from '../model/gpt';
import { grownLength } from './context_mode';
import { continueTokens } from './generate';
import { incrementalSupport } from './incremental_support';
import { checkSampleRequest, type SampleBlock, type SampleRequest, type SampleResult, sampleContext } from './request';

/**
 * The validation passage a sample starts from: one window of the longest
 * context, drawn as the evaluator draws its windows (evaluation seed `seed`),
 * so the prompt is the same for every run of an experiment and does not change
 * with the number of characters asked for. Returns it and what the text says
 * next (up to `chars` characters; fewer where the document ends).
 */
export function validationPrompt(
  corpus: Corpus,
  longest: number,
  chars: number,
  seed: number,
): { prompt: Uint32Array; next: Uint32Array } {
  const [w] = evalWindows(corpus.validation, 1, longest, seed);
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
  const context = sampleContext(request);
  const blocks: SampleBlock[] = [];
  for (const factor of request.contexts) {
    const length = factor * T;
    const cut = prompt.subarray(Math.max(0, prompt.length - length));
    // fixedseqqk reads a prefix of the same passage at every length, as at evaluation (grow: the longest it reaches).
    const rows = context === 'grow' ? grownLength(cut.length, request.chars) : length;
    const streamTokens = model.config.layers.includes('fixedseqqk') ? fixedPassage(corpus, rows) : undefined;
    const c = await continueTokens(model, cut, length, { ...request, context, streamTokens });
    const continuation = tok.decode(c.tokens);
    blocks.push({ factor, length, prompt: tok.decode(cut), continuation, seconds: c.seconds, path: c.path });
  }
  const incremental = context === 'grow' ? incrementalSupport(model.config).summary : undefined;
  return { request, trainLength: T, blocks, truth, unknownChars, incremental };
}
