// The GPT on the GPU: parameter arenas (params, grads, Adam m and v, each one
// buffer laid out by the parameter table) and graphs (activations plus the
// recorded forward/backward programs for one batch shape).
import { checkModelConfig, type ModelConfig } from '../config';
import type { Binding, GpuContext } from '../gpu/context';
import { Program } from '../gpu/program';
import {
  crossentropy_forward,
  fused_classifier,
  fusedClassifierParams,
  IGNORE_TARGET,
  loss_mean,
} from '../kernels/crossentropy';
import { encoder_backward, encoder_forward } from '../kernels/encoder';
import { matmul_backward, matmul_backward_dgelu } from '../kernels/matmul';
import { residual_forward } from '../kernels/residual';
import { rmsnorm_backward, rmsnorm_forward } from '../kernels/rmsnorm';
import { checkFits, checkParamsFit } from './budget';
import { type BlockActs as ForwardBlockActs, recordBlocksForward } from './forward_blocks';
import { type BlockBuffer, blockSizes, planParams } from './memory_plan';
import type { Mixer } from './mixer';
import { buildMixer } from './mixers';
import { buildParamTable, initParams, type ParamEntry, type ParamTable, paramSpecs } from './params';
import { PlanAllocator } from './plan_allocator';
import { type Shapes, STAT_LOSS, shapesOf } from './shapes';
import { streamKind, streamRows } from './stream';

export type Arena = 'params' | 'grads' | 'm' | 'v';

export class GptModel {
  readonly table: ParamTable;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;
  /** Small buffer of scalars (loss, grad norm) read at logging points. */
  readonly stats: GPUBuffer;

  constructor(
    readonly ctx: GpuContext,
    readonly config: ModelConfig,
  ) {
    checkModelConfig(config);
    // Like a Graph's, the arenas' allocator refuses a plan the device cannot hold, before allocating.
    checkParamsFit(config, ctx.device.limits);
    this.table = buildParamTable(paramSpecs(config));
    const a = new PlanAllocator(ctx, planParams(config));
    this.params = a.take('params').buffer;
    this.grads = a.take('grads').buffer;
    this.m = a.take('adam_m').buffer;
    this.v = a.take('adam_v').buffer;
    this.stats = a.take('stats').buffer;
    a.finish();
    this.setParams(initParams(this.table, config.seed));
  }

  /** A tensor of one arena as a binding (offsets are 256-byte aligned). */
  bind(name: string, arena: Arena = 'params'): Binding {
    const e = this.entry(name);
    return { buffer: this[arena], offset: e.offset * 4, size: e.size * 4 };
  }

  entry(name: string): ParamEntry {
    const e = this.table.byName.get(name);
    if (!e) throw new Error(`no parameter named ${name}`);
    return e;
  }

  setParams(values: Float32Array): void {
    if (values.length !== this.table.total)
      throw new Error(`expected ${this.table.total} parameter floats, got ${values.length}`);
    const q = this.ctx.device.queue;
    q.writeBuffer(this.params, 0, values);
    const zeros = new Float32Array(this.table.total);
    q.writeBuffer(this.m, 0, zeros);
    q.writeBuffer(this.v, 0, zeros);
    q.writeBuffer(this.grads, 0, zeros);
  }

  /** Sync point: reads a whole arena back. */
  read(arena: Arena = 'params'): Promise<Float32Array> {
    return this.ctx.read(this[arena], this.table.total);
  }

  destroy(): void {
    this.ctx.destroyAll([this.params, this.grads, this.m, this.v, this.stats]);
  }
}

export interface GraphOptions {
  training: boolean;
  /** fixedseqqk: the fixed passage whose embeddings start the stream (at least T tokens). */
  streamTokens?: Uint32Array;
  /** Re-weighting exponent when the pass runs in this graph (null: off). */
  reweightP?: number | null;
  /** Evaluate with the non-softmax blocks removed (hybridskip). */
  skipNonSoftmax?: boolean;
  /** Evaluation: fused attention kernels, memory linear in T (forward only). */
  fused?: boolean;
  /** Evaluation: per-row attention diagnostics in each attention layer. */
  diagnostics?: boolean;
  /** Evaluation (fused): each query sees only its last `window` keys (windowed evaluation); 0 or absent: all. */
  window?: number;
}

type BlockActs = ForwardBlockActs & { mixer: Mixer };

/**
 * Activations and recorded programs for a batch of B windows of T tokens.
 * `forward` ends with per-token losses and their mean in stats[STAT_LOSS];
 * in a training graph it also writes dlogits (fused classifier) and
 * `backward` accumulates every parameter gradient into the grads arena.
 */
export class Graph {
  /** Shapes of the rows the graph computes: with a fixed stream, [batch; stream] = 2B rows. */
  readonly s: Shapes;
  /** Batch rows the caller supplies (B). */
  readonly batchRows: number;
  /** Token ids of the stream rows (rndembqk: V + t into the extended table). */
  private streamIds: Uint32Array | null = null;
  readonly tokens: GPUBuffer;
  readonly targets: GPUBuffer;
  readonly losses: Binding;
  readonly logits: Binding;
  readonly forward: Program;
  readonly backward: Program;
  /**
   * Evaluation with `diagnostics`: the per-row attention statistics of every attention layer,
   * run after `forward` (from the queries and keys it left) only for the windows whose statistics
   * are read, not on every chunk; null otherwise.
   */
  readonly diagnostics: Program | null = null;
  /** The graph's planned buffers (activations and both programs' scratch). */
  private alloc: PlanAllocator;
  private blocks: BlockActs[] = [];
  /** The classifier's uniform and the scored count it was last written for. */
  private classifier: { params: GPUBuffer; scored: number } | null = null;

  constructor(
    readonly model: GptModel,
    B: number,
    T: number,
    readonly options: GraphOptions,
  ) {
    const ctx = model.ctx;
    const c = model.config;
    const stream = streamKind(c.layers);
    if (stream === 'fixedseq' && (options.streamTokens?.length ?? 0) < T)
      throw new Error(
        `fixedseqqk needs a fixed passage of at least ${T} tokens (got ${options.streamTokens?.length ?? 0})`,
      );
    // Before any allocation: a graph the device cannot hold is refused whole. The
    // graph then allocates exactly the plan that was checked (src/model/memory_plan.ts).
    const plan = checkFits(c, B, T, ctx.device.limits, options).graph;
    this.batchRows = B;
    const s = (this.s = shapesOf(c, stream ? 2 * B : B, T));
    const { N, C, V, F } = s;
    const alloc = (this.alloc = new PlanAllocator(ctx, plan));
    try {
      this.tokens = alloc.take('tokens').buffer;
      this.targets = alloc.take('targets').buffer;
      const x0 = alloc.take('x0');
      const training = options.training;
      const reweightP = options.reweightP ?? null;

      // The fixed stream (rndembqk / fixedseqqk): rows [B, 2B) run the same
      // blocks; their tokens are fixed and their targets never scored.
      let embTable: Binding = model.bind('wte');
      let wteCopy: { ext: Binding; zeros: Binding } | null = null;
      if (stream === 'rndemb') {
        // Extended table [wte; eps rows]: stream token V + t looks up eps row t.
        const ext = alloc.take('wte_with_stream');
        ctx.device.queue.writeBuffer(ext.buffer, V * C * 4, streamRows(c, T));
        wteCopy = { ext: { buffer: ext.buffer, offset: 0, size: V * C * 4 }, zeros: alloc.take('zeros_wte') };
        embTable = ext;
        this.streamIds = Uint32Array.from({ length: T }, (_, t) => V + t);
      } else if (stream === 'fixedseq') {
        this.streamIds = options.streamTokens!.slice(0, T);
      }

      // staticembqk: q, k from RMSNorm(E) of the layer-0 embeddings (no gain).
      const staticLayers = c.layers.map((m, l) => (m === 'staticembqk' ? l : -1)).filter((l) => l >= 0);
      const staticEmb = staticLayers.length
        ? {
            ones: alloc.take('ones_C'),
            normE: alloc.take('norm_emb'),
            rstdE: alloc.take('rstd_emb'),
            dNormE: alloc.take(training ? 'd_norm_emb' : 'unused'),
            dOnes: alloc.take('d_ones_unused'),
          }
        : null;
      if (staticEmb) ctx.device.queue.writeBuffer(staticEmb.ones.buffer, 0, new Float32Array(C).fill(1));
      const topStatic = Math.max(...staticLayers);

      for (let l = 0; l < c.nLayer; l++) {
        const mech = c.layers[l];
        const slots = alloc.scope(`h${l}.`);
        const acts = {} as Record<BlockBuffer, Binding>;
        for (const name of Object.keys(blockSizes(s)) as BlockBuffer[]) acts[name] = slots.take(name);
        const mixer = buildMixer({
          mech,
          layer: l,
          config: c,
          shapes: s,
          options: {
            reweightP,
            training,
            form: { fused: !!options.fused, diagnostics: !!options.diagnostics, window: options.window },
          },
          params: model,
          slots,
          staticEmb: staticEmb && { normE: staticEmb.normE, dNormE: staticEmb.dNormE, accumulate: l !== topStatic },
        });
        this.blocks.push({ ...acts, mixer, skip: !!options.skipNonSoftmax && mech !== 'softmax' });
      }
      const lnf = alloc.take('lnf');
      const rstdf = alloc.take('rstdf');
      this.logits = alloc.take('logits');
      this.losses = alloc.take('losses');
      const dlogits = alloc.maybe('d_logits');
      const wout = c.tiedEmbeddings ? 'wte' : 'lm_head';
      const P = (name: string) => model.bind(name);
      const G = (name: string) => model.bind(name, 'grads');
      const tokens = { buffer: this.tokens };
      const targets = { buffer: this.targets };
      const stats = { buffer: model.stats };

      // ---- forward ----
      const f = (this.forward = new Program(ctx, alloc.scratchFor('forward')));
      if (wteCopy) residual_forward(f, wteCopy.ext, P('wte'), wteCopy.zeros, V * C);
      encoder_forward(f, x0, tokens, embTable, N, C);
      if (staticEmb) rmsnorm_forward(f, staticEmb.normE, staticEmb.rstdE, x0, staticEmb.ones, N, C);
      const { inputs, last: xin } = recordBlocksForward(
        f,
        { x0, blocks: this.blocks, head: { lnf, rstdf, logits: this.logits }, P, wout },
        N,
        C,
        F,
        V,
      );
      if (dlogits)
        this.classifier = {
          params: fused_classifier(f, this.losses, dlogits, this.logits, targets, N, V, 1 / N),
          scored: N,
        };
      else crossentropy_forward(f, this.losses, this.logits, targets, N, V);
      loss_mean(f, stats, STAT_LOSS, this.losses, targets, N);

      // ---- backward ----
      const bw = (this.backward = new Program(ctx, alloc.scratchFor('backward')));
      if (dlogits) {
        const dres = alloc.take('d_residual');
        const dln = alloc.take('d_ln');
        const dmix = alloc.take('d_mix');
        const dfcGelu = alloc.take('d_fc_gelu');
        const dfc = alloc.take('d_fc');
        matmul_backward(bw, { dinp: dln, dweight: G(wout), dout: dlogits, inp: lnf, weight: P(wout), N, IC: C, OC: V });
        const lnfW = { dweight: G('lnf.w'), weight: P('lnf.w'), rstd: rstdf, N, C };
        rmsnorm_backward(bw, { ...lnfW, dinp: dres, dout: dln, inp: xin, accumulate: false });
        for (let l = c.nLayer - 1; l >= 0; l--) {
          const b = this.blocks[l];
          // MLP sub-layer: dres is the gradient at res2 and flows on unchanged to res1.
          const proj = { dweight: G(`h${l}.mlp.w_proj`), weight: P(`h${l}.mlp.w_proj`), N, IC: F, OC: C };
          // GELU's backward runs in the store of proj's input-gradient gemm.
          matmul_backward_dgelu(bw, { ...proj, dinp: dfcGelu, dpre: dfc, pre: b.fc, dout: dres, inp: b.fc_gelu });
          const fc = { dweight: G(`h${l}.mlp.w_fc`), weight: P(`h${l}.mlp.w_fc`), N, IC: C, OC: F };
          matmul_backward(bw, { ...fc, dinp: dln, dout: dfc, inp: b.ln2 });
          const ln2 = { dweight: G(`h${l}.ln2.w`), weight: P(`h${l}.ln2.w`), rstd: b.rstd2, N, C };
          rmsnorm_backward(bw, { ...ln2, dinp: dres, dout: dln, inp: b.res1, accumulate: true });
          // Mixing sub-layer.
          b.mixer.backward(bw, dmix, dres, b.ln1);
          const ln1 = { dweight: G(`h${l}.ln1.w`), weight: P(`h${l}.ln1.w`), rstd: b.rstd1, N, C };
          rmsnorm_backward(bw, { ...ln1, dinp: dres, dout: dmix, inp: inputs[l], accumulate: true });
        }
        if (staticEmb)
          rmsnorm_backward(bw, {
            dinp: dres,
            dweight: staticEmb.dOnes,
            dout: staticEmb.dNormE,
            inp: x0,
            weight: staticEmb.ones,
            rstd: staticEmb.rstdE,
            N,
            C,
            accumulate: true,
          });
        // Stream rows of rndembqk carry ids >= V: encoder_backward skips them (eps is fixed).
        encoder_backward(bw, G('wte'), dres, tokens, N, C, V);
      }
      if (options.diagnostics) {
        const d = (this.diagnostics = new Program(ctx));
        for (const b of this.blocks) if (!b.skip) b.mixer.recordDiagnostics?.(d);
      }
      alloc.finish();
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  /** Layer l's token mixer (tests and diagnostics read its buffers). */
  mixer(l: number): Mixer {
    return this.blocks[l].mixer;
  }

  /** Queues the token ids and targets for the next submit (no sync). */
  setBatch(batchInput: Uint32Array, batchTarget: Uint32Array): void {
    const { N, T } = this.s;
    const n = this.batchRows * T;
    if (batchInput.length !== n || batchTarget.length !== n)
      throw new Error(`batch must hold ${n} tokens, got ${batchInput.length} / ${batchTarget.length}`);
    let input = batchInput;
    let target = batchTarget;
    if (this.streamIds) {
      input = new Uint32Array(N);
      target = new Uint32Array(N).fill(IGNORE_TARGET);
      input.set(batchInput);
      target.set(batchTarget);
      for (let b = 0; b < this.batchRows; b++) input.set(this.streamIds, n + b * T);
    }
    const q = this.model.ctx.device.queue;
    q.writeBuffer(this.tokens, 0, input);
    q.writeBuffer(this.targets, 0, target);
    if (this.classifier) {
      // The gradient is of the mean over scored positions (tasks score only some).
      let scored = 0;
      for (let i = 0; i < N; i++) if (target[i] !== IGNORE_TARGET) scored++;
      if (scored !== this.classifier.scored) {
        q.writeBuffer(this.classifier.params, 0, fusedClassifierParams(N, this.s.V, 1 / Math.max(1, scored)));
        this.classifier.scored = scored;
      }
    }
  }

  destroy(): void {
    // (The programs are missing when building them failed.)
    this.forward?.destroy();
    this.backward?.destroy();
    this.diagnostics?.destroy();
    this.alloc.destroy();
  }
}
