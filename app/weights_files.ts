// Results files with their runs' weights (opt-in, src/eval/weights_block.ts):
// the export asks the engine for each run's kept weights, the import hands a
// file's weights to the engine so those runs can continue text and read a
// passage. Both go through the speak channel, one request at a time.
import type { ResultsDoc } from '../src/eval/results';
import { encodeWeights, type ResultsDocWithWeights, type RunWeights } from '../src/eval/weights_block';
import type { SpeakChannel } from './speak';
import type { RunRecord } from './store';

/** `docs` with the weights the engine keeps for their runs; `missing`: the labels of runs without. */
export async function withWeights(
  speak: SpeakChannel,
  docs: readonly ResultsDoc[],
  runs: readonly RunRecord[],
): Promise<{ docs: ResultsDocWithWeights[]; missing: string[] }> {
  const out: ResultsDocWithWeights[] = [];
  const missing: string[] = [];
  for (const doc of docs) {
    const rec = runs.find((r) => r.doc === doc);
    const a = rec ? await speak.ask({ type: 'weights', runId: rec.id }) : null;
    if (a?.type === 'weights') out.push({ ...doc, weights: encodeWeights(doc, a) });
    else out.push(doc), missing.push(doc.label);
  }
  return { docs: out, missing };
}

/** Hands each imported run's weights to the engine; returns the ids it kept and one line per refusal. */
export async function keepFileWeights(
  speak: SpeakChannel,
  ids: readonly string[],
  weights: readonly (RunWeights | undefined)[],
): Promise<{ kept: Set<string>; refused: string[] }> {
  const kept = new Set<string>();
  const refused: string[] = [];
  for (const [i, w] of weights.entries()) {
    if (!w) continue;
    const a = await speak.ask({ type: 'keep', runId: ids[i], ...w });
    if (a.type === 'kept') kept.add(ids[i]);
    else refused.push(`run ${i + 1}: ${a.type === 'error' ? a.message : a.type}`);
  }
  return { kept, refused };
}

/** A size in KB or MB, for the export's note. */
export const sizeText = (chars: number) =>
  chars >= 1 << 20 ? `${(chars / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(chars / 1024))} KB`;
