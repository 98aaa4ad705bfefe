// Chooses the Mixer for a layer's mechanism, once for both its plan
// (planMixer: the buffers it will hold) and its construction (buildMixer), so
// the two cannot choose differently.
import { ConfigError, type Mechanism, type ModelConfig } from '../config';
import { NONAPPROX_WINDOW } from '../eval/config';
import type { Binding } from '../gpu/context';
import type { ProbsParams } from '../kernels/attention';
import { AttentionMixer, type EvalForm, planAttention, type QkSource } from './attention_mixer';
import { GatedMlpMixer, planGatedMlp } from './gated_mlp_mixer';
import type { Mixer } from './mixer';
import { NonapproxMixer, planNonapprox } from './nonapprox_mixer';
import { gatedHidden } from './params';
import type { PlannedBuffer } from './plan';
import type { PlanSlots } from './plan_allocator';
import { layerReweight } from './reweight_rule';
import type { Shapes } from './shapes';

export interface MixerOptions {
  /** Graph-level re-weighting exponent (null: off); src/model/reweight_rule.ts says which layers apply it. */
  reweightP: number | null;
  training: boolean;
  /** Evaluation graphs: fused attention and per-row diagnostics. */
  form: EvalForm;
}

/** What a layer's mechanism makes of its mixer. */
export type MixerChoice =
  | {
      kind: 'attention';
      probs: ProbsParams;
      source: QkSource['kind'];
      /** The exponent this layer applies (null: none). */
      reweightP: number | null;
    }
  | { kind: 'mlp'; hidden: number }
  | { kind: 'nonapprox' };

/** What a layer of `mech` computes (mixer kind, attention weights, re-weighting); incremental sampling reads it too. */
export function chooseMixer(mech: Mechanism, c: ModelConfig, graphP: number | null): MixerChoice {
  const attention = (mechanism: ProbsParams['mechanism'], source: QkSource['kind']): MixerChoice => ({
    kind: 'attention',
    probs: { mechanism, alibi: c.positional === 'alibi', trainLength: c.trainLength },
    source,
    reweightP: layerReweight(c, mech, graphP),
  });
  switch (mech) {
    case 'softmax':
    case 'lssa':
    case 'taylor':
    case 'sigmoid':
    case 'relu':
    case 'softplus':
    case 'lssacap':
    case 'lssmax':
      return attention(mech, 'self');
    case 'lssar':
      return attention('lssa', 'self');
    case 'rndembqk':
    case 'fixedseqqk':
      return attention('softmax', 'stream');
    case 'staticembqk':
      return attention('softmax', 'static');
    case 'mlp':
      return { kind: 'mlp', hidden: gatedHidden(c) };
    case 'nonapprox':
      return { kind: 'nonapprox' };
    default:
      throw new ConfigError(`mechanism '${mech}' is not available in this engine build`);
  }
}

/** The buffers (local labels) and program scratch of a `mech` layer's mixer. */
export function planMixer(mech: Mechanism, c: ModelConfig, s: Shapes, o: MixerOptions): PlannedBuffer[] {
  const k = chooseMixer(mech, c, o.reweightP);
  switch (k.kind) {
    case 'attention':
      return planAttention(s, {
        source: k.source,
        positional: c.positional,
        reweightP: k.reweightP,
        training: o.training,
        form: o.form,
      });
    case 'mlp':
      return planGatedMlp(s, k.hidden, o.training);
    case 'nonapprox':
      if (o.form.window) throw new ConfigError(NONAPPROX_WINDOW);
      return planNonapprox(s, o.training);
  }
}

/** The model's tensors by name, in the parameter or gradient arena (GptModel.bind). */
export interface ParamBinder {
  bind(name: string, arena?: 'params' | 'grads'): Binding;
}

export interface BuildMixerArgs {
  mech: Mechanism;
  layer: number;
  config: ModelConfig;
  shapes: Shapes;
  options: MixerOptions;
  params: ParamBinder;
  /** The layer's planned buffers (planMixer's labels). */
  slots: PlanSlots;
  /** For staticembqk layers: the graph's RMSNorm of the layer-0 embeddings. */
  staticEmb: { normE: Binding; dNormE: Binding; accumulate: boolean } | null;
}

export function buildMixer(a: BuildMixerArgs): Mixer {
  const { config: c, shapes: s, options: o, params, slots, layer: l } = a;
  const P = (n: string) => params.bind(n);
  const G = (n: string) => params.bind(n, 'grads');
  const k = chooseMixer(a.mech, c, o.reweightP);
  switch (k.kind) {
    case 'attention': {
      if (k.source === 'static' && !a.staticEmb)
        throw new Error('staticembqk layer built without the graph embedding norm');
      const source: QkSource = k.source === 'static' ? { kind: 'static', ...a.staticEmb! } : { kind: k.source };
      return new AttentionMixer({
        shapes: s,
        weights: {
          wqkv: P(`h${l}.attn.w_qkv`),
          wo: P(`h${l}.attn.w_o`),
          dwqkv: G(`h${l}.attn.w_qkv`),
          dwo: G(`h${l}.attn.w_o`),
        },
        probs: k.probs,
        positional: c.positional,
        reweightP: k.reweightP,
        training: o.training,
        source,
        form: o.form,
        slots,
      });
    }
    case 'mlp':
      return new GatedMlpMixer(
        s,
        k.hidden,
        {
          gate: P(`h${l}.mix.w_gate`),
          up: P(`h${l}.mix.w_up`),
          down: P(`h${l}.mix.w_down`),
          dgate: G(`h${l}.mix.w_gate`),
          dup: G(`h${l}.mix.w_up`),
          ddown: G(`h${l}.mix.w_down`),
        },
        slots,
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
        slots,
        o.training,
      );
  }
}
