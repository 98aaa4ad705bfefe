// Validation loss over a fixed list of windows, on the GPU. One submit per
// chunk of windows; every chunk's mean loss is copied into a results buffer
// and the CPU reads them all back once (a single sync per evaluation).
import type { GptModel } from '../model/gpt';
import { Graph, type GraphOptions } from '../model/gpt';
import { STAT_LOSS } from '../model/shapes';
import type { Batch } from './trainer';
import { packWindows } from '../data/batch';

export interface EvalResult {
  /** Mean loss over all scored tokens of all windows (nats/token). */
  loss: number;
  windows: number;
}

/**
 * Mean loss of `windows` (each L tokens) evaluated `chunk` windows at a time.
 * Every window must have the same length and score the same number of tokens
 * per chunk for the per-chunk means to average exactly; text windows do.
 */
export async function evaluateLoss(
  model: GptModel,
  windows: Batch[],
  L: number,
  chunk: number,
  options: Omit<GraphOptions, 'training'> = {},
): Promise<EvalResult> {
  if (windows.length === 0) throw new Error('no evaluation windows');
  const ctx = model.ctx;
  const B = Math.min(chunk, windows.length);
  const graph = new Graph(model, B, L, { ...options, training: false });
  const nChunks = Math.ceil(windows.length / B);
  const results = ctx.storage('eval results', nChunks);
  const weights: number[] = [];
  try {
    for (let c = 0; c < nChunks; c++) {
      const part = windows.slice(c * B, (c + 1) * B);
      // A short last chunk is padded with ignored targets so it scores only its own windows.
      const { input, target } = packWindows(part, B, L);
      weights.push(target.reduce((a, t) => a + (t === 0xffffffff ? 0 : 1), 0));
      graph.setBatch(input, target);
      const enc = ctx.device.createCommandEncoder({ label: `eval chunk ${c}` });
      const pass = enc.beginComputePass();
      graph.forward.encode(pass);
      pass.end();
      enc.copyBufferToBuffer(model.stats, STAT_LOSS * 4, results, c * 4, 4);
      ctx.device.queue.submit([enc.finish()]);
    }
    // SYNC: evaluation point — one readback of every chunk's mean loss.
    const means = await ctx.read(results, nChunks);
    let sum = 0;
    let count = 0;
    means.forEach((m, i) => {
      sum += m * weights[i];
      count += weights[i];
    });
    return { loss: sum / Math.max(1, count), windows: windows.length };
  } finally {
    graph.destroy();
    ctx.destroy(results);
  }
}
