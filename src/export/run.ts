// A finished run's PyTorch export, as the run host makes it: the lab's first
// steps captured on the GPU (capture.ts), then the folder's files (bundle.ts).

import type { Engine } from '../engine';
import type { ResultsDoc } from '../eval/results';
import { type RunConfig, toEvalConfig, toModelConfig, toTrainConfig } from '../experiment/run_config';
import type { LoadedData } from '../experiment/runner';
import { buildTorchExport, ExportError, type ExportFile, exportProblem, runExportProblem } from './bundle';
import { captureTrainingStart } from './capture';

export async function exportFinishedRun(
  engine: Engine,
  run: RunConfig,
  data: LoadedData,
  doc: ResultsDoc,
  trained: Float32Array,
  stream: Uint32Array | undefined,
  includeTrainText = true,
): Promise<ExportFile[]> {
  if (data.kind !== 'text') throw new ExportError(runExportProblem(run, 0) ?? 'only text runs can be exported');
  const model = toModelConfig(run, data.corpus.tokenizer.size);
  const problem = exportProblem(model);
  if (problem) throw new ExportError(problem);
  const train = toTrainConfig(run);
  const start = await captureTrainingStart(engine, model, train, data.corpus.train, stream);
  return buildTorchExport({
    doc,
    train,
    evaluation: toEvalConfig(run),
    corpus: data.corpus,
    trained,
    start,
    stream,
    includeTrainText,
  });
}
