// `npm run bench`: ours against jax-js and TensorFlow.js on the same adapter in
// one page load. Every figure interleaves the implementations (round-robin per
// repetition, so a change in machine load hits them alike) and reports the
// median and spread. Sections: matmul GFLOP/s, attention forward and
// forward+backward, training tokens/s of the default model (same shapes, same
// initial weights, same optimiser; tests/gpu/peers.test.ts checks the peers
// compute our model), evaluation speed and memory, and a roofline line.
// A peer that fails is recorded in `errors` and the rest still runs.
import { DEFAULT_MODEL, DEFAULT_TRAIN, type ModelConfig, type TrainConfig } from '../src/config';
import { trainBatch } from '../src/data/batch';
import { loadBrown } from '../src/data/corpus';
import { Engine, requestDevice } from '../src/engine';
import { DEFAULT_EVAL, evaluateLengths } from '../src/eval/lengths';
import { initParams } from '../src/model/params';
import { Trainer } from '../src/train/trainer';
import { Rng, randn } from '../src/util/random';
import { type OurAttentionPass, ourAttention, ourMatmul } from './ours';
import type { AttentionInputs, PeerGpt, PeerKernel, PeerMechanism } from './peers/common';
import { initJax, JaxGpt, jaxAttention, jaxMatmul } from './peers/jax';
import { initTf, TfGpt, tfAttention, tfMatmul } from './peers/tf';
import { BENCH_SCHEMA, BENCH_VERSION, type BenchResult, benchResultSchema, spreadOf } from './schema';

declare global {
  interface Window {
    __result?: unknown;
    __error?: string;
  }
}

type Impl = BenchResult['matmul'][number]['impl'];

export interface BenchOptions {
  smoke: boolean;
  reps: number; // matmul repetitions
  calls: number; // matmul calls per repetition
  attnReps: number;
  attnCalls: number;
  matmul: { shape: string; M: number; K: number; N: number }[];
  attention: { lengths: number[]; batch: number; heads: number; headDim: number };
  model: Partial<ModelConfig>;
  train: Partial<TrainConfig>;
  trainWarmup: number;
  trainRounds: number;
  trainStepsPerRound: number;
  evalFactors: number[];
  evalWindows: number;
  /** Peers to run (tests may leave one out). */
  peers: ('jax-js' | 'TensorFlow.js')[];
}

const R = DEFAULT_TRAIN.batchSize * DEFAULT_TRAIN.seqLen; // rows N = B*T of the default model
export const FULL: BenchOptions = {
  smoke: false,
  reps: 5,
  calls: 10,
  attnReps: 5,
  attnCalls: 5,
  matmul: [
    { shape: `model qkv ${R}x64.64x192`, M: R, K: 64, N: 192 },
    { shape: `model fc ${R}x64.64x256`, M: R, K: 64, N: 256 },
    { shape: `model proj ${R}x256.256x64`, M: R, K: 256, N: 64 },
    { shape: `model dW 256x${R}.${R}x64`, M: 256, K: R, N: 64 },
    { shape: 'sq 256', M: 256, K: 256, N: 256 },
    { shape: 'sq 512', M: 512, K: 512, N: 512 },
    { shape: 'sq 1024', M: 1024, K: 1024, N: 1024 },
  ],
  attention: {
    lengths: [64, 128, 256, 512, 1024],
    batch: 1,
    heads: DEFAULT_MODEL.nHead,
    headDim: DEFAULT_MODEL.nEmbd / DEFAULT_MODEL.nHead,
  },
  model: {},
  train: {},
  trainWarmup: 2,
  trainRounds: 3,
  trainStepsPerRound: 3,
  evalFactors: [1, 4, 16],
  evalWindows: 8,
  peers: ['jax-js', 'TensorFlow.js'],
};
/** One repetition, tiny sizes: the JSON shape, not the numbers. */
export const SMOKE: BenchOptions = {
  ...FULL,
  smoke: true,
  reps: 1,
  calls: 1,
  attnReps: 1,
  attnCalls: 1,
  matmul: [
    { shape: 'sq 32', M: 32, K: 32, N: 32 },
    { shape: 'model-like 40x16.16x24', M: 40, K: 16, N: 24 },
  ],
  attention: { lengths: [8, 13], batch: 1, heads: 2, headDim: 8 },
  model: { nLayer: 1, nEmbd: 16, nHead: 2, layers: ['softmax'], trainLength: 8 },
  train: { batchSize: 2, seqLen: 8 },
  trainWarmup: 1,
  trainRounds: 1,
  trainStepsPerRound: 1,
  evalFactors: [1, 2],
  evalWindows: 2,
};

interface Entry {
  impl: Impl;
  make: () => PeerKernel | Promise<PeerKernel>;
}

/** A repetition aims at this many ms: slow implementations get fewer calls per repetition (at least 1). */
const REP_BUDGET_MS = 250;
/** An implementation slower than this per call is timed SLOW_REPS times only (TF.js at L = 1024 takes 10 s a call). */
const SLOW_MS = 1500;
const SLOW_REPS = 3;

/** Times each entry `reps` times round-robin (after warm-up); ms per call. */
async function interleave(
  entries: Entry[],
  reps: number,
  calls: number,
  errors: BenchResult['errors'],
  where: string,
): Promise<Map<Impl, number[]>> {
  const live: { impl: Impl; k: PeerKernel; calls: number; reps: number }[] = [];
  for (const e of entries) {
    try {
      const k = await e.make();
      await k.run(1); // compilation, tuning, first touch
      const t0 = performance.now();
      await k.run(1);
      const once = performance.now() - t0;
      const n = Math.max(1, Math.min(calls, Math.round(REP_BUDGET_MS / Math.max(1e-3, once))));
      live.push({ impl: e.impl, k, calls: n, reps: once > SLOW_MS ? Math.min(reps, SLOW_REPS) : reps });
    } catch (err) {
      errors.push({ where: `${where} ${e.impl}`, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const times = new Map<Impl, number[]>(live.map((l) => [l.impl, []]));
  for (let r = 0; r < reps; r++)
    for (const l of live) {
      if (r >= l.reps) continue;
      const t0 = performance.now();
      await l.k.run(l.calls);
      times.get(l.impl)!.push(Math.max(1e-6, (performance.now() - t0) / l.calls));
    }
  for (const l of live) l.k.destroy();
  return times;
}

const adapterName = (a: GPUAdapter) =>
  `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() || 'unknown adapter';

export async function runBench(o: BenchOptions, log: (s: string) => void = () => {}): Promise<BenchResult> {
  const { device, adapter } = await requestDevice();
  const engine = new Engine(device);
  const ctx = engine.ctx;
  const errors: BenchResult['errors'] = [];
  const want = (p: BenchOptions['peers'][number]) => o.peers.includes(p);
  const jaxOk = want('jax-js')
    ? await initJax().then(
        () => true,
        (e) => (errors.push({ where: 'jax-js init', error: String(e?.message ?? e) }), false),
      )
    : false;
  const tfOk = want('TensorFlow.js')
    ? await initTf().then(
        () => true,
        (e) => (errors.push({ where: 'TensorFlow.js init', error: String(e?.message ?? e) }), false),
      )
    : false;

  // 1. Matmul.
  const matmul: BenchResult['matmul'] = [];
  for (const s of o.matmul) {
    const a = Float32Array.from(randn(s.M * s.K, 1)),
      b = Float32Array.from(randn(s.K * s.N, 2));
    const entries: Entry[] = [{ impl: 'ours', make: () => ourMatmul(ctx, s.M, s.K, s.N, a, b) }];
    if (jaxOk) entries.push({ impl: 'jax-js', make: () => jaxMatmul(s.M, s.K, s.N, a, b) });
    if (tfOk) entries.push({ impl: 'TensorFlow.js', make: () => tfMatmul(s.M, s.K, s.N, a, b) });
    for (const [impl, ts] of await interleave(entries, o.reps, o.calls, errors, `matmul ${s.shape}`)) {
      const ms = spreadOf(ts);
      matmul.push({ ...s, impl, ms, gflops: (2 * s.M * s.N * s.K) / (ms.median * 1e6) });
      log(
        `matmul ${s.shape.padEnd(28)} ${impl.padEnd(14)} ${ms.median.toFixed(3).padStart(9)} ms ` +
          `${matmul[matmul.length - 1].gflops.toFixed(2).padStart(8)} GFLOP/s`,
      );
    }
  }

  // 2. Attention (q, k after RoPE; nope otherwise), per mechanism and length.
  const attention: BenchResult['attention'] = [];
  const { batch: aB, heads: aH, headDim: ahd } = o.attention;
  for (const mech of ['softmax', 'lssa'] as PeerMechanism[])
    for (const L of o.attention.lengths) {
      const n = aB * aH * L * ahd;
      const x: AttentionInputs = {
        B: aB,
        H: aH,
        T: L,
        hd: ahd,
        q: Float32Array.from(randn(n, 3)),
        k: Float32Array.from(randn(n, 4)),
        v: Float32Array.from(randn(n, 5)),
        dOut: Float32Array.from(randn(n, 6)),
      };
      for (const pass of ['fused fwd', 'fwd', 'fwd+bwd'] as OurAttentionPass[]) {
        const entries: Entry[] = [{ impl: 'ours', make: () => ourAttention(ctx, mech, x, pass) }];
        if (pass !== 'fused fwd') {
          const bwd = pass === 'fwd+bwd';
          if (jaxOk) entries.push({ impl: 'jax-js', make: () => jaxAttention(mech, x, bwd) });
          if (tfOk) entries.push({ impl: 'TensorFlow.js', make: () => tfAttention(mech, x, bwd) });
        }
        for (const [impl, ts] of await interleave(
          entries,
          o.attnReps,
          o.attnCalls,
          errors,
          `attention ${mech} L=${L} ${pass}`,
        )) {
          const ms = spreadOf(ts);
          attention.push({ mechanism: mech, length: L, batch: aB, heads: aH, headDim: ahd, pass, impl, ms });
          log(
            `attention ${mech.padEnd(8)} L=${String(L).padEnd(5)} ${pass.padEnd(10)} ${impl.padEnd(14)} ` +
              `${ms.median.toFixed(3).padStart(9)} ms`,
          );
        }
      }
    }

  // 3. Training throughput: same config, initial weights, batches and AdamW for all.
  const corpus = await loadBrown();
  const config: ModelConfig = { ...DEFAULT_MODEL, ...o.model, vocabSize: corpus.tokenizer.size };
  const total = o.trainWarmup + o.trainRounds * o.trainStepsPerRound;
  const cfg: TrainConfig = { ...DEFAULT_TRAIN, ...o.train, steps: total };
  const rng = new Rng(cfg.seed);
  const batches = Array.from({ length: total }, () => trainBatch(corpus.train, cfg.batchSize, cfg.seqLen, rng));
  const model = engine.createModel(config);
  const init = initParams(model.table, config.seed);
  const trainer = new Trainer(model, cfg);
  type Runner = {
    impl: Impl;
    step: (i: number, log: boolean) => Promise<number | null>;
    destroy: () => void;
    firstLoss: number;
  };
  const runners: Runner[] = [
    {
      impl: 'ours',
      step: async (i, l) => (await trainer.trainStep(batches[i], l))?.loss ?? null,
      destroy: () => trainer.destroy(),
      firstLoss: NaN,
    },
  ];
  const peerMakers: [Impl, boolean, () => PeerGpt][] = [
    ['jax-js', jaxOk, () => new JaxGpt(config, cfg, init)],
    ['TensorFlow.js', tfOk, () => new TfGpt(config, cfg, init)],
  ];
  for (const [impl, ok, make] of peerMakers) {
    if (!ok) continue;
    try {
      const g = make();
      runners.push({
        impl,
        step: (i, l) => g.trainStep(batches[i].input, batches[i].target, l),
        destroy: () => g.destroy(),
        firstLoss: NaN,
      });
    } catch (e) {
      errors.push({ where: `training ${impl}`, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const live: Runner[] = [];
  for (const r of runners) {
    try {
      for (let i = 0; i < o.trainWarmup; i++) {
        const l = await r.step(i, i === 0 || i === o.trainWarmup - 1);
        if (i === 0) r.firstLoss = l ?? NaN;
      }
      live.push(r);
    } catch (e) {
      errors.push({ where: `training ${r.impl}`, error: e instanceof Error ? e.message : String(e) });
      r.destroy();
    }
  }
  const tps = new Map<Impl, number[]>(live.map((r) => [r.impl, []]));
  let next = o.trainWarmup;
  for (let round = 0; round < o.trainRounds; round++) {
    for (const r of live) {
      const t0 = performance.now();
      for (let s = 0; s < o.trainStepsPerRound; s++) await r.step(next + s, s === o.trainStepsPerRound - 1);
      tps.get(r.impl)!.push((o.trainStepsPerRound * cfg.batchSize * cfg.seqLen) / ((performance.now() - t0) / 1000));
    }
    next += o.trainStepsPerRound;
  }
  const training: BenchResult['training'] = {
    model: {
      nLayer: config.nLayer,
      nEmbd: config.nEmbd,
      nHead: config.nHead,
      vocabSize: config.vocabSize,
      batch: cfg.batchSize,
      seqLen: cfg.seqLen,
    },
    rows: live.map((r) => {
      const s = spreadOf(tps.get(r.impl)!);
      log(`train ${r.impl.padEnd(14)} ${Math.round(s.median)} tokens/s (first loss ${r.firstLoss.toFixed(4)})`);
      return {
        impl: r.impl,
        tokensPerSecond: s,
        stepMs: (1000 * cfg.batchSize * cfg.seqLen) / s.median,
        firstLoss: r.firstLoss,
      };
    }),
  };
  for (const r of live) r.destroy();

  // 4. Evaluation throughput and evaluator memory (ours only: the peers have no evaluator).
  const T = config.trainLength;
  // Compiles the evaluation pipelines before anything is timed.
  await evaluateLengths(model, corpus, T, { ...DEFAULT_EVAL, factors: [1], windows: 2, diagnostics: false });
  const base = ctx.bytesInUse;
  const evaluation: BenchResult['evaluation'] = [];
  for (const f of o.evalFactors) {
    const t0 = performance.now();
    const r = await evaluateLengths(model, corpus, T, { ...DEFAULT_EVAL, factors: [f], windows: o.evalWindows });
    const seconds = Math.max(1e-6, (performance.now() - t0) / 1000);
    evaluation.push({
      factor: f,
      length: f * T,
      seconds,
      tokensPerSecond: r.tokens / seconds,
      peakBytes: r.peakBytes[0].bytes,
      evaluatorBytes: Math.max(0, r.peakBytes[0].bytes - base),
    });
    log(
      `eval ${f}x (L=${f * T}): ${Math.round(r.tokens / seconds)} tokens/s, evaluator ` +
        `${(evaluation[evaluation.length - 1].evaluatorBytes / 1e6).toFixed(2)} MB`,
    );
  }
  model.destroy();

  return benchResultSchema.parse({
    schema: BENCH_SCHEMA,
    version: BENCH_VERSION,
    date: new Date().toISOString(),
    adapter: adapterName(adapter),
    smoke: o.smoke,
    options: {
      reps: o.reps,
      calls: o.calls,
      attnReps: o.attnReps,
      trainRounds: o.trainRounds,
      trainStepsPerRound: o.trainStepsPerRound,
    },
    matmul,
    attention,
    training,
    evaluation,
    roofline: roofline(matmul, training, config, cfg),
    targets: targets(matmul, attention, training),
    errors,
  });
}

/** Matmul FLOPs of one training step (forward x3), attention counted on the full T x T. */
export function trainFlops(c: ModelConfig, B: number, T: number): number {
  const C = c.nEmbd,
    N = B * T,
    F = c.mlpRatio * C,
    hd = C / c.nHead;
  const fwd = 2 * N * (c.nLayer * (4 * C * C + 2 * C * F) + c.vocabSize * C) + c.nLayer * 4 * B * c.nHead * T * T * hd;
  return 3 * fwd;
}

function roofline(
  matmul: BenchResult['matmul'],
  training: BenchResult['training'],
  c: ModelConfig,
  cfg: TrainConfig,
): BenchResult['roofline'] {
  const best = matmul.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  const ours = training.rows.find((r) => r.impl === 'ours')!;
  const flops = trainFlops(c, cfg.batchSize, cfg.seqLen);
  const gflops = flops / (ours.stepMs * 1e6);
  return {
    bestGflops: best.gflops,
    bestImpl: best.impl,
    bestShape: best.shape,
    trainFlopsPerStep: flops,
    trainGflops: gflops,
    fraction: gflops / best.gflops,
  };
}

function targets(
  matmul: BenchResult['matmul'],
  attention: BenchResult['attention'],
  training: BenchResult['training'],
): BenchResult['targets'] {
  const mm = (shape: string, impl: Impl) => matmul.find((r) => r.shape === shape && r.impl === impl)?.gflops;
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : null);
  const tr = (impl: Impl) => training.rows.find((r) => r.impl === impl)?.tokensPerSecond.median;
  const worst = (ourPass: string, peerPass: string) => {
    let w: number | null = null;
    for (const r of attention) {
      if (r.impl === 'ours' || r.pass !== peerPass || r.length < 256) continue;
      const o = attention.find(
        (x) => x.impl === 'ours' && x.pass === ourPass && x.mechanism === r.mechanism && x.length === r.length,
      );
      if (o) w = Math.min(w ?? Infinity, r.ms.median / o.ms.median);
    }
    return w;
  };
  return {
    matmul512VsJax: ratio(mm('sq 512', 'ours'), mm('sq 512', 'jax-js')),
    matmul1024VsJax: ratio(mm('sq 1024', 'ours'), mm('sq 1024', 'jax-js')),
    trainVsJax: ratio(tr('ours'), tr('jax-js')),
    trainVsTf: ratio(tr('ours'), tr('TensorFlow.js')),
    attentionFusedFwdWorst: worst('fused fwd', 'fwd'),
    attentionFwdBwdWorst: worst('fwd+bwd', 'fwd+bwd'),
  };
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const o = q.get('smoke') === '1' ? SMOKE : FULL;
  const result = await runBench(o, (s) => console.log(s));
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 2);
  window.__result = result;
}

if (typeof location !== 'undefined' && location.pathname.endsWith('/bench/bench.html'))
  main().catch((e: unknown) => {
    window.__error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  });
