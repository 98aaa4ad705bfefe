// The attention-map heatmaps the lab shows for a finished run, computed while
// its model is still alive (executeRun's afterEval hook: the model is
// destroyed when executeRun returns).
import { type AttentionMap, attentionMap } from '../eval/map';
import type { RunConfig } from '../experiment/run_config';
import { type LoadedData, longestEvalLength } from '../experiment/runner';
import type { GptModel } from '../model/gpt';

/** Heatmaps computed per run: every layer, the first heads, at T and the longest length. */
const MAP_HEADS = 4;
const MAP_CELLS = 32;
const MAX_MAPS = 48;

/**
 * Each attention layer, the first MAP_HEADS heads, at T and at the longest
 * evaluation length, R x R cells. Layers without pairwise weights (mlp,
 * nonapprox) are skipped.
 */
export async function computeMaps(
  model: GptModel,
  run: RunConfig,
  data: LoadedData,
  stream: Uint32Array | undefined,
): Promise<AttentionMap[]> {
  if (data.kind !== 'text') return [];
  const maxL = longestEvalLength(run);
  const lengths = [...new Set([run.train.seqLen, maxL])];
  const out: AttentionMap[] = [];
  for (let layer = 0; layer < run.model.nLayer; layer++) {
    for (const L of lengths) {
      for (let head = 0; head < Math.min(MAP_HEADS, run.model.nHead); head++) {
        if (out.length >= MAX_MAPS) return out;
        try {
          out.push(
            await attentionMap(model, data.corpus, {
              length: L,
              layer,
              head,
              R: MAP_CELLS,
              seed: run.eval.seed,
              windows: run.eval.windows,
              maxLength: maxL,
              streamTokens: stream,
            }),
          );
        } catch {
          break; // this layer has no attention map (or it cannot be taken): next layer
        }
      }
    }
  }
  return out;
}
