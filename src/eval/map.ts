// A downsampled attention map of one window, layer and head at one length,
// for the UI's heatmap: R x R cells, each the mean weight over its rows and
// columns, computed by a streaming kernel (no L x L buffer).

import { evalWindows, windowAt } from '../data/batch';
import type { Corpus } from '../data/corpus';
import { Program } from '../gpu/program';
import { AttentionMixer } from '../model/attention_mixer';
import { type GptModel, Graph } from '../model/gpt';
import { reweightFor } from '../model/reweight_rule';

export interface AttentionMap {
  length: number;
  layer: number;
  head: number;
  window: number;
  R: number;
  /** Row-major R x R: cell (r, c) = mean of A_ij over row bucket r and column bucket c. */
  cells: number[];
}

export async function attentionMap(
  model: GptModel,
  corpus: Corpus,
  opts: {
    length: number;
    layer: number;
    head: number;
    window?: number;
    R?: number;
    seed: number;
    windows: number;
    maxLength: number;
    reweightP?: number | null;
    streamTokens?: Uint32Array;
  },
): Promise<AttentionMap> {
  const { length: L, layer, head } = opts;
  const R = Math.min(opts.R ?? 64, L);
  const w = opts.window ?? 0;
  const c = model.config;
  if (!Number.isInteger(layer) || layer < 0 || layer >= c.nLayer)
    throw new Error(`layer ${layer} outside 0..${c.nLayer - 1}`);
  if (!Number.isInteger(head) || head < 0 || head >= c.nHead) throw new Error(`head ${head} outside 0..${c.nHead - 1}`);
  const starts = evalWindows(corpus.validation, opts.windows, Math.max(L, opts.maxLength), opts.seed);
  if (w < 0 || w >= starts.length) throw new Error(`window ${w} outside 0..${starts.length - 1}`);
  const p = opts.reweightP === undefined ? reweightFor(c, false) : opts.reweightP;
  const graph = new Graph(model, 1, L, { training: false, fused: true, reweightP: p, streamTokens: opts.streamTokens });
  const prog = new Program(model.ctx);
  try {
    const mixer = graph.mixer(layer);
    if (!(mixer instanceof AttentionMixer))
      throw new Error(`layer ${layer} (${c.layers[layer]}) has no pairwise attention map`);
    const map = prog.scratch('attention map', R * R);
    mixer.recordMap(prog, { buffer: map }, 0, head, R);
    const win = windowAt(corpus.validation, starts[w], L);
    graph.setBatch(win.input, win.target);
    const enc = model.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    graph.forward.encode(pass);
    prog.encode(pass);
    pass.end();
    model.ctx.device.queue.submit([enc.finish()]);
    // SYNC: display point — the map's R x R cells.
    const cells = Array.from(await model.ctx.read(map, R * R));
    return { length: L, layer, head, window: w, R, cells };
  } finally {
    prog.destroy();
    graph.destroy();
  }
}
