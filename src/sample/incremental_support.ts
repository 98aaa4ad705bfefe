// Which mechanisms can continue a growing context incrementally (keys and
// values cached, one new row through the model per character) and which must
// recompute the whole context every character, with the reason; and the
// memory check of a growing context. No GPU code: the command line, the run
// host and the lab's panel show the same answer.
import type { Mechanism, ModelConfig } from '../config';
import { ResourceLimitError } from '../errors';
import { checkFits, type DeviceLimits } from '../model/budget';
import { reweightFor } from '../model/reweight_rule';
import { grownLength } from './context_mode';

/** How a layer takes one more character: from its key/value cache, from its own row alone, or not at all. */
export type LayerPath = 'cache' | 'row' | 'recompute';

const SELF_ATTENTION =
  "row i's weights depend only on its query, the keys and values of positions 0..i and its absolute position " +
  "(RoPE's angle, ALiBi's distance, lssa's ln i, relu's 1/i, sigmoid's ln T, re-weighting's i A - o), " +
  'all of which a cache of post-RoPE keys and values holds';

const STREAM =
  "queries and keys come from the fixed stream's rows, which run through the blocks beside the text and never " +
  'depend on it: the pass over the prompt computes them at every position up to the final length, and each ' +
  'character takes its own and appends its value';

const WHY: IncrementalTable = {
  softmax: ['cache', SELF_ATTENTION],
  lssa: ['cache', SELF_ATTENTION],
  lssar: ['cache', SELF_ATTENTION],
  taylor: ['cache', SELF_ATTENTION],
  sigmoid: ['cache', SELF_ATTENTION],
  relu: ['cache', SELF_ATTENTION],
  softplus: ['cache', SELF_ATTENTION],
  lssacap: ['cache', SELF_ATTENTION],
  lssmax: ['cache', SELF_ATTENTION],
  mlp: ['row', 'no token mixing: each row sees only itself, so nothing is cached'],
  nonapprox: [
    'cache',
    "row i's output is a causal scan of scores s_j = q_j.k_j and values v_j over positions 0..i: the cache holds " +
      "each position's q (through SiLU), k and v, and the scan runs over rows 0..i of it",
  ],
  rndembqk: ['cache', STREAM],
  fixedseqqk: ['cache', STREAM],
  staticembqk: [
    'cache',
    "queries and keys come from a projection of position i's own normalised layer-0 embedding (then RoPE at i), " +
      'values from its own input: row i still depends only on positions 0..i and its absolute position',
  ],
};

export interface IncrementalSupport {
  /** True when every layer takes a new character from its cache or its own row. */
  incremental: boolean;
  layers: { mechanism: Mechanism; path: LayerPath; why: string }[];
  /** One line: what grow mode does with this model, and why. */
  summary: string;
}

/** What each mechanism's layer does with one more character, and why. */
export type IncrementalTable = Readonly<Record<Mechanism, readonly [LayerPath, string]>>;

/**
 * `table`: the engine's (every mechanism takes the cache or its own row today); a mechanism added without a
 * one-row form would say 'recompute' there, and grow mode would then recompute the whole context.
 */
export function incrementalSupport(c: Pick<ModelConfig, 'layers'>, table: IncrementalTable = WHY): IncrementalSupport {
  const layers = c.layers.map((mechanism) => {
    const [path, why] = table[mechanism];
    return { mechanism, path, why };
  });
  const blocking = layers.filter((l) => l.path === 'recompute');
  const incremental = blocking.length === 0;
  const names = [...new Set(blocking.map((l) => l.mechanism))];
  const summary = incremental
    ? 'grow mode uses the key/value cache: each character runs only its own row'
    : `grow mode recomputes the whole context each character: ${names.map((m) => `${m} (${table[m][1]})`).join('; ')}`;
  return { incremental, layers, summary };
}

/**
 * Refuses, before anything is allocated, a growing context the fused
 * evaluation could not hold at its final length (the cache is the fused
 * evaluation graph's own key/value buffers at that length, so its limits are
 * the ones that apply): one line, with the most characters that fit.
 */
export function checkGrowFits(config: ModelConfig, promptLength: number, chars: number, limits: DeviceLimits): void {
  const total = grownLength(promptLength, chars);
  try {
    checkFits(config, 1, total, limits, { training: false, fused: true, reweightP: reweightFor(config, false) });
  } catch (e) {
    if (!(e instanceof ResourceLimitError)) throw e;
    const most = e.longestSeqLen;
    const advice =
      most >= promptLength
        ? `generate at most ${most - promptLength + 1} characters after this prompt of ${promptLength}`
        : `no continuation of a ${promptLength}-character prompt fits`;
    throw new ResourceLimitError(
      `a context growing to ${total} characters (a ${promptLength}-character prompt, ${chars} to generate) does ` +
        `not fit: ${e.message.split(';')[0]}; ${advice}, or use the sliding context`,
      e.limit,
      e.needed,
      e.allowed,
      0,
      most,
    );
  }
}
