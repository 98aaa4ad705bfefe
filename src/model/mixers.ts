// Chooses the Mixer for a layer's mechanism.
import { ConfigError, type Mechanism } from '../config';
import type { Binding } from '../gpu/context';
import type { NormalisedMechanism } from '../kernels/attention';
import { AttentionMixer, type EvalForm } from './attention_mixer';
import { GatedMlpMixer } from './gated_mlp_mixer';
import type { GptModel } from './gpt';
import type { Allocator, Mixer, SharedScratch } from './mixer';
import { NonapproxMixer } from './nonapprox_mixer';
import { gatedHidden } from './params';
import type { Shapes } from './shapes';

/** Mechanisms whose attention rows sum to 1, so re-weighting applies. */
export const ROW_NORMALISED: readonly Mechanism[] = ['softmax', 'lssa', 'lssar', 'taylor'];

export interface MixerOptions {
  /** Graph-level re-weighting exponent (null: off); `lssar` always re-weights. */
  reweightP: number | null;
  training: boolean;
  /** For staticembqk layers: the graph's RMSNorm of the layer-0 embeddings. */
  staticEmb: { normE: Binding; dNormE: Binding; accumulate: boolean } | null;
  /** Evaluation graphs: fused attention and per-row diagnostics. */
  form?: EvalForm;
}

export function buildMixer(
  mech: Mechanism,
  l: number,
  model: GptModel,
  s: Shapes,
  o: MixerOptions,
  alloc: Allocator,
  shared: SharedScratch,
): Mixer {
  const c = model.config;
  const P = (n: string) => model.bind(n);
  const G = (n: string) => model.bind(n, 'grads');
  switch (mech) {
    case 'softmax':
    case 'lssa':
    case 'lssar':
    case 'taylor':
    case 'sigmoid':
    case 'relu': {
      const base: NormalisedMechanism = mech === 'lssar' ? 'lssa' : mech;
      // lssar always re-weights: with its own p, or with an evaluation sweep's p.
      const p = mech === 'lssar' ? (o.reweightP ?? c.reweight.p) : ROW_NORMALISED.includes(mech) ? o.reweightP : null;
      return new AttentionMixer(
        s,
        {
          wqkv: P(`h${l}.attn.w_qkv`),
          wo: P(`h${l}.attn.w_o`),
          dwqkv: G(`h${l}.attn.w_qkv`),
          dwo: G(`h${l}.attn.w_o`),
        },
        { mechanism: base, alibi: c.positional === 'alibi', trainLength: c.trainLength },
        c.positional,
        p,
        alloc,
        shared,
        o.training,
        { kind: 'self' },
        o.form,
      );
    }
    case 'rndembqk':
    case 'fixedseqqk':
    case 'staticembqk': {
      if (mech === 'staticembqk' && !o.staticEmb)
        throw new Error('staticembqk layer built without the graph embedding norm');
      const source =
        mech === 'staticembqk' ? { kind: 'static' as const, ...o.staticEmb! } : { kind: 'stream' as const };
      return new AttentionMixer(
        s,
        {
          wqkv: P(`h${l}.attn.w_qkv`),
          wo: P(`h${l}.attn.w_o`),
          dwqkv: G(`h${l}.attn.w_qkv`),
          dwo: G(`h${l}.attn.w_o`),
        },
        { mechanism: 'softmax', alibi: c.positional === 'alibi', trainLength: c.trainLength },
        c.positional,
        o.reweightP,
        alloc,
        shared,
        o.training,
        source,
        o.form,
      );
    }
    case 'mlp':
      return new GatedMlpMixer(
        s,
        gatedHidden(c),
        {
          gate: P(`h${l}.mix.w_gate`),
          up: P(`h${l}.mix.w_up`),
          down: P(`h${l}.mix.w_down`),
          dgate: G(`h${l}.mix.w_gate`),
          dup: G(`h${l}.mix.w_up`),
          ddown: G(`h${l}.mix.w_down`),
        },
        alloc,
        o.training,
      );
    case 'nonapprox':
      return new NonapproxMixer(
        s,
        {
          wqkv: P(`h${l}.attn.w_qkv`),
          wo: P(`h${l}.attn.w_o`),
          dwqkv: G(`h${l}.attn.w_qkv`),
          dwo: G(`h${l}.attn.w_o`),
        },
        alloc,
        o.training,
      );
    default:
      throw new ConfigError(`mechanism '${mech}' is not available in this engine build`);
  }
}

/** The graph-level re-weighting exponent for a model's config. */
export function reweightFor(c: GptModel['config'], training: boolean, override?: number | null): number | null {
  if (override !== undefined) return override;
  const mode = c.reweight.mode;
  if (mode === 'train') return c.reweight.p;
  if (mode === 'eval' && !training) return c.reweight.p;
  return null;
}
