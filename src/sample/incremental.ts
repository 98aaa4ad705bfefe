// The incremental path of a growing context (context 'grow'): the prompt runs
// once through the fused evaluation graph sized to the final length, whose
// per-layer post-RoPE keys and values [H, rows, hd] then serve as the cache;
// each later character runs only its own row: embedding, per layer norm, qkv
// projection of one row, RoPE at its absolute position, append to the cache,
// the fused attention kernel for one query row at position i over cached keys
// 0..i, output projection, residual, MLP, final norm and its V logits.
// One program is recorded once; a step rewrites the few uniforms that carry
// the position (and the one-row RoPE table) and submits it once.
// Borrowed queries and keys: staticembqk projects the row's own normalised
// embedding; rndembqk and fixedseqqk gather the row's from the prompt's pass,
// which ran the fixed stream (independent of the text) at every position.
// nonapprox appends its q (through SiLU), k and v to the graph's scan inputs
// and rescans rows 0..i. Only for models whose every layer allows it
// (incrementalSupport: today every mechanism does).
import type { Binding } from '../gpu/context';
import { Program } from '../gpu/program';
import { attention_fused_forward, type FusedShape, fusedParamsData } from '../kernels/attention_fused';
import { encoder_forward } from '../kernels/encoder';
import { qkv_split_forward } from '../kernels/heads';
import { kv_cache_append, kv_cache_gather, kv_cache_row_one, kvRowParams } from '../kernels/kv_cache';
import { matmul_forward } from '../kernels/matmul';
import { nonapprox_forward, nonapproxForwardParams } from '../kernels/nonapprox';
import { qkv_split_rope_forward } from '../kernels/qkv_split_rope';
import { rmsnorm_forward } from '../kernels/rmsnorm';
import { rope_forward, ropeTableData } from '../kernels/rope';
import { silu_forward } from '../kernels/silu';
import { AttentionMixer } from '../model/attention_mixer';
import { type BlockActs, recordBlocksForward } from '../model/forward_blocks';
import { GatedMlpMixer, planGatedMlp } from '../model/gated_mlp_mixer';
import type { GptModel } from '../model/gpt';
import { type BlockBuffer, blockSizes } from '../model/memory_plan';
import type { Mixer } from '../model/mixer';
import { chooseMixer } from '../model/mixers';
import { NonapproxMixer } from '../model/nonapprox_mixer';
import { PlanBuilder } from '../model/plan';
import { PlanAllocator } from '../model/plan_allocator';
import { reweightFor } from '../model/reweight_rule';
import { shapesOf } from '../model/shapes';
import { ContextGraph } from './context_graph';
import { incrementalSupport } from './incremental_support';

type Forward = Pick<Mixer, 'forward'>;

/** A nonapprox layer's one-row buffers (spare: bound, never written, beside a one-tensor row copy). */
const NONAPPROX_ROW = ['qkv', 'q', 'qs', 'k', 'v', 'y', 'spare'] as const;

export class IncrementalContext {
  private readonly prefill: ContextGraph;
  private readonly alloc: PlanAllocator;
  private readonly step: Program;
  private readonly token: GPUBuffer;
  private readonly logits: Binding;
  /** Rewrites, before a step at position `pos`, every uniform or table that carries it. */
  private readonly moves: ((pos: number) => void)[] = [];
  /** Tokens in the context so far (0: the prompt has not been read). */
  private n = 0;

  constructor(
    readonly model: GptModel,
    /** The longest the context will grow to (the cache's rows). */
    readonly rows: number,
    /** fixedseqqk: the fixed passage, at least `rows` tokens. */
    streamTokens?: Uint32Array,
  ) {
    const c = model.config;
    const support = incrementalSupport(c);
    if (!support.incremental) throw new Error(support.summary);
    const ctx = model.ctx;
    const s = shapesOf(c, 1, 1);
    const { C, H, hd, V, F } = s;
    const graphP = reweightFor(c, false);
    // The prefill graph: allocated first, so a context too long is refused before the one-row buffers exist.
    this.prefill = new ContextGraph(model, rows, streamTokens);
    const plan = new PlanBuilder().buf('token', 1).buf('x0', C).buf('lnf', C).buf('rstdf', 1).buf('logits', V);
    const rope = c.positional === 'rope';
    if (rope) plan.buf('rope_row', hd);
    const isStatic = c.layers.includes('staticembqk');
    if (isStatic) plan.buf('ones_C', C).buf('norm_emb', C).buf('rstd_emb', 1);
    c.layers.forEach((mech, l) => {
      for (const [name, floats] of Object.entries(blockSizes(s))) plan.buf(`h${l}.${name}`, floats);
      const k = chooseMixer(mech, c, graphP);
      if (k.kind === 'attention') {
        for (const b of ['qkv', 'q', 'k', 'v', 'y']) plan.buf(`h${l}.${b}`, b === 'qkv' ? 3 * C : C);
        // staticembqk: q, k split from the embedding's projection (then rotated); the own q, k go unused.
        if (k.source === 'static')
          for (const b of ['qkv_static', 'q_static', 'k_static', 'q_unused', 'k_unused', 'v_unused'])
            plan.buf(`h${l}.${b}`, b === 'qkv_static' ? 3 * C : C);
      } else if (k.kind === 'mlp') {
        for (const e of planGatedMlp(s, k.hidden, false)) if (!e.scratch) plan.buf(`h${l}.${e.label}`, e.floats);
      } else for (const b of NONAPPROX_ROW) plan.buf(`h${l}.${b}`, b === 'qkv' ? 3 * C : C);
    });
    const a = (this.alloc = new PlanAllocator(ctx, plan.entries));
    try {
      this.token = a.take('token').buffer;
      this.logits = a.take('logits');
      const ropeRow = rope ? a.take('rope_row') : null;
      if (ropeRow) {
        const table = ropeTableData(rows, hd);
        this.moves.push((pos) => ctx.device.queue.writeBuffer(ropeRow.buffer, 0, table.buffer, pos * hd * 4, hd * 4));
      }
      const P = (name: string) => model.bind(name);
      const normEmb = isStatic ? a.take('norm_emb') : null;
      const blocks: BlockActs[] = c.layers.map((mech, l) => {
        const slots = a.scope(`h${l}.`);
        const acts = {} as Record<BlockBuffer, Binding>;
        for (const name of Object.keys(blockSizes(s)) as BlockBuffer[]) acts[name] = slots.take(name);
        const k = chooseMixer(mech, c, graphP);
        let mixer: Forward;
        if (k.kind === 'mlp') {
          const w = { gate: P(`h${l}.mix.w_gate`), up: P(`h${l}.mix.w_up`), down: P(`h${l}.mix.w_down`) };
          // Built without gradient buffers (training false): the gradient bindings are never bound.
          mixer = new GatedMlpMixer(s, k.hidden, { ...w, dgate: w.gate, dup: w.up, ddown: w.down }, slots, false);
        } else if (k.kind === 'attention') {
          const cache = this.prefill.mixer(l);
          if (!(cache instanceof AttentionMixer)) throw new Error(`layer ${l}: no attention cache`);
          const one = { qkv: slots.take('qkv'), q: slots.take('q'), k: slots.take('k'), v: slots.take('v') };
          const y = slots.take('y');
          const shape: FusedShape = { B: 1, H, L: 1, hd, params: k.probs, reweightP: k.reweightP };
          const { q: cacheQ, k: cacheK, v: cacheV } = cache.keysValues;
          const wqkv = P(`h${l}.attn.w_qkv`);
          const st =
            k.source === 'static'
              ? {
                  qkv: slots.take('qkv_static'),
                  q: slots.take('q_static'),
                  k: slots.take('k_static'),
                  unused: { q: slots.take('q_unused'), k: slots.take('k_unused'), v: slots.take('v_unused') },
                }
              : null;
          mixer = {
            forward: (p, out, inp) => {
              matmul_forward(p, one.qkv, inp, wqkv, 1, C, 3 * C);
              const split = { ...one, B: 1, T: 1, H, hd };
              if (st) {
                // As the graph does it: the own split gives v; q, k come from RMSNorm(E) and are rotated after.
                const u = st.unused;
                qkv_split_forward(p, { ...split, q: u.q, k: u.k });
                matmul_forward(p, st.qkv, normEmb!, wqkv, 1, C, 3 * C);
                const pre = ropeRow ? st : one;
                qkv_split_forward(p, { ...split, qkv: st.qkv, q: pre.q, k: pre.k, v: u.v });
                if (ropeRow) {
                  rope_forward(p, one.q, st.q, H, 1, hd, ropeRow);
                  rope_forward(p, one.k, st.k, H, 1, hd, ropeRow);
                }
              } else if (ropeRow && k.source === 'self') qkv_split_rope_forward(p, { ...split, table: ropeRow });
              else qkv_split_forward(p, split);
              const row = { H, hd, rows, pos: 0 };
              // rndembqk, fixedseqqk: the prompt's pass computed the fixed stream's queries and keys (after RoPE)
              // at every position up to `rows`; the row takes its own from there (its k is written back as it was).
              const ug =
                k.source === 'stream' ? kv_cache_gather(p, { ...row, cacheQ, cacheK, q: one.q, k: one.k }) : null;
              const ua = kv_cache_append(p, { ...row, k: one.k, v: one.v, cacheK, cacheV });
              const ya = { ...shape, q: one.q, k: cacheK, v: cacheV, out: y, cache: { qOff: 0, rows } };
              const uy = attention_fused_forward(p, ya);
              this.moves.push((pos) => {
                if (ug) ctx.device.queue.writeBuffer(ug, 0, kvRowParams({ ...row, pos }));
                ctx.device.queue.writeBuffer(ua, 0, kvRowParams({ ...row, pos }));
                ctx.device.queue.writeBuffer(uy, 0, fusedParamsData(shape, 0, 0, { qOff: pos, rows }));
              });
              // One row of [H, 1, hd] is already the merged [1, C] layout the projection reads.
              matmul_forward(p, out, y, P(`h${l}.attn.w_o`), 1, C, C);
            },
          };
        } else {
          // nonapprox: the row's q (through SiLU), k and v join the graph's scan inputs; the scan runs over rows
          // 0..i of them (as in the graph, so bit for bit) and the row's output is read back from row i.
          const scan = this.prefill.mixer(l);
          if (!(scan instanceof NonapproxMixer)) throw new Error(`layer ${l}: no nonapprox scan buffers`);
          const g = scan.scanBuffers;
          const b = Object.fromEntries(NONAPPROX_ROW.map((n) => [n, slots.take(n)])) as Record<
            (typeof NONAPPROX_ROW)[number],
            Binding
          >;
          const wqkv = P(`h${l}.attn.w_qkv`);
          mixer = {
            forward: (p, out, inp) => {
              matmul_forward(p, b.qkv, inp, wqkv, 1, C, 3 * C);
              qkv_split_forward(p, { qkv: b.qkv, q: b.q, k: b.k, v: b.v, B: 1, T: 1, H, hd });
              silu_forward(p, b.qs, b.q, C);
              const row = { H, hd, rows, pos: 0 };
              const spare = { read: b.q, write: b.spare };
              const uqk = kv_cache_append(p, { ...row, k: b.qs, v: b.k, cacheK: g.qs, cacheV: g.k });
              const uv = kv_cache_row_one(p, { ...row, x: b.v, cache: g.v, spare, gather: false });
              const shape = { B: 1, H, T: rows, hd };
              const us = nonapprox_forward(p, { ...shape, out: g.y, stats: g.stats, q: g.qs, k: g.k, v: g.v }, 1);
              const uy = kv_cache_row_one(p, { ...row, x: b.y, cache: g.y, spare, gather: true });
              this.moves.push((pos) => {
                for (const u of [uqk, uv, uy]) ctx.device.queue.writeBuffer(u, 0, kvRowParams({ ...row, pos }));
                ctx.device.queue.writeBuffer(us, 0, nonapproxForwardParams(shape, pos + 1));
              });
              // One row of [H, 1, hd] is already the merged [1, C] layout the projection reads.
              matmul_forward(p, out, b.y, P(`h${l}.attn.w_o`), 1, C, C);
            },
          };
        }
        return { ...acts, mixer, skip: false };
      });
      const head = { lnf: a.take('lnf'), rstdf: a.take('rstdf'), logits: this.logits };
      const step = (this.step = new Program(ctx));
      const x0 = a.take('x0');
      encoder_forward(step, x0, this.token, P('wte'), 1, C);
      if (normEmb) {
        // staticembqk: RMSNorm of the layer-0 embedding with no gain, as the graph computes it for every row.
        const ones = a.take('ones_C');
        ctx.device.queue.writeBuffer(ones.buffer, 0, new Float32Array(C).fill(1));
        rmsnorm_forward(step, normEmb, a.take('rstd_emb'), x0, ones, 1, C);
      }
      const wout = c.tiedEmbeddings ? 'wte' : 'lm_head';
      recordBlocksForward(step, { x0, blocks, head, P, wout }, 1, C, F, V);
      a.finish();
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  /**
   * The logits after the last token of `text`: the first call reads the prompt
   * (one forward of the graph); each later call must add exactly one token,
   * which runs alone through the model against the cache.
   */
  async nextLogits(text: Uint32Array): Promise<Float32Array> {
    const n = text.length;
    if (n > this.rows) throw new RangeError(`the context holds at most ${this.rows} tokens, got ${n}`);
    if (this.n === 0) {
      const logits = await this.prefill.nextLogits(text);
      this.n = n;
      return logits;
    }
    if (n !== this.n + 1) throw new RangeError(`each step adds one token: had ${this.n}, got ${n}`);
    const pos = this.n;
    this.model.ctx.device.queue.writeBuffer(this.token, 0, Uint32Array.of(text[pos]));
    for (const move of this.moves) move(pos);
    this.step.run();
    this.n = n;
    // SYNC: logging point — one row of V logits per generated character.
    return this.model.ctx.read(this.logits.buffer, this.model.config.vocabSize);
  }

  destroy(): void {
    this.step?.destroy();
    this.alloc?.destroy();
    this.prefill.destroy();
  }
}
