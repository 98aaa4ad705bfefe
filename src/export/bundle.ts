// The exported folder of one finished run: model.py, train.py and lab_data.py
// (generated text), config.json, tokenizer.json, the lab's results.json,
// weights.safetensors (the trained parameters), data.safetensors (the
// corpus as token documents and the validation windows the lab evaluated)
// and, when the lab's first steps were captured, check.safetensors (initial
// weights, the first batch's gradients, the batches and losses of the first
// steps, rndembqk's stream rows). Pure: no GPU, no DOM, no file system.
import { MECHANISMS, type ModelConfig, type TrainConfig } from '../config';
import { evalWindows } from '../data/batch';
import type { Corpus } from '../data/corpus';
import type { EvalConfig } from '../eval/config';
import type { ResultsDoc } from '../eval/results';
import { type RunConfig, toModelConfig } from '../experiment/run_config';
import { buildParamTable, type ParamTable, paramSpecs } from '../model/params';
import { streamKind, streamRows } from '../model/stream';
import type { TrainingStart } from './capture';
import { LAB_DATA_PY } from './py_data';
import { pyMechanism } from './py_mechanisms';
import { modelPy } from './py_model';
import { TRAIN_PY } from './py_train';
import { exportReadme } from './readme';
import { encodeSafetensors, type Tensor } from './safetensors';

export interface ExportFile {
  name: string;
  data: string | Uint8Array;
}

export interface TorchExportInput {
  doc: ResultsDoc;
  train: TrainConfig;
  evaluation: EvalConfig;
  corpus: Corpus;
  /** The trained parameter arena. */
  trained: Float32Array;
  /** The lab's first steps (check.safetensors), when captured. */
  start?: TrainingStart;
  /** fixedseqqk's passage (the longest evaluated length), when the model has such layers. */
  stream?: Uint32Array;
  /** Put the training documents in data.safetensors (train.py needs them to train). Default true. */
  includeTrainText?: boolean;
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/** Why a model cannot be exported (one line), or null. */
export function exportProblem(c: ModelConfig): string | null {
  const missing = c.layers.filter((m) => !pyMechanism(m));
  if (missing.length) return `the PyTorch export has no class for mechanism '${missing[0]}' yet`;
  return null;
}

/** Why a run cannot be exported (one line), or null: checked before the run trains. */
export function runExportProblem(run: RunConfig, vocabSize: number): string | null {
  if (run.data.source === 'task')
    return `the PyTorch export covers text runs (Brown or your text), not the ${run.data.task} task`;
  // Shifted windows start at another offset at each length (src/eval/): train.py reads the fixed starts only.
  if (run.eval.placement === 'shifted') return "the PyTorch export covers the 'fixed' window placement only";
  return exportProblem(toModelConfig(run, vocabSize));
}

/** Every mechanism of the lab that model.py lacks (empty when the table is complete). */
export const mechanismsWithoutClass = (): string[] => MECHANISMS.filter((m) => !pyMechanism(m));

function tensorsOf(table: ParamTable, arena: Float32Array, prefix = ''): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const e of table.entries)
    out[prefix + e.name] = { shape: e.shape, data: arena.slice(e.offset, e.offset + e.size) };
  return out;
}

function docsTensors(docs: Uint32Array[], name: string, vocab: number): Record<string, Tensor> {
  const total = docs.reduce((a, d) => a + d.length, 0);
  const tokens = vocab <= 256 ? new Uint8Array(total) : new Int32Array(total);
  const offsets = new BigInt64Array(docs.length + 1);
  let at = 0;
  docs.forEach((d, i) => {
    tokens.set(d, at);
    at += d.length;
    offsets[i + 1] = BigInt(at);
  });
  return {
    [`${name}_tokens`]: { shape: [total], data: tokens },
    [`${name}_offsets`]: { shape: [docs.length + 1], data: offsets },
  };
}

export function buildTorchExport(input: TorchExportInput): ExportFile[] {
  const { doc, train, evaluation, corpus } = input;
  const model = doc.model as ModelConfig;
  const problem = exportProblem(model);
  if (problem) throw new ExportError(problem);
  const table = buildParamTable(paramSpecs(model));
  if (input.trained.length !== table.total)
    throw new ExportError(`the trained weights hold ${input.trained.length} floats; the model has ${table.total}`);
  const maxL = Math.max(...evaluation.factors) * train.seqLen;
  const kind = streamKind(model.layers);
  if (kind === 'fixedseq' && (!input.stream || input.stream.length < maxL))
    throw new ExportError(`fixedseqqk's passage must hold ${maxL} tokens`);
  const windows = evalWindows(corpus.validation, evaluation.windows, maxL, evaluation.seed);
  const config = {
    lab: { label: doc.label, engineVersion: doc.engineVersion, createdAt: doc.createdAt, data: doc.data.name },
    model: { ...model, ...(kind === 'fixedseq' ? { fixedPassage: Array.from(input.stream!.subarray(0, maxL)) } : {}) },
    train,
    eval: { ...evaluation, diagnostics: false },
    parameters: table.entries.map((e) => ({ name: e.name, shape: e.shape, decay: e.decay })),
  };
  const V = model.vocabSize;
  const data = encodeSafetensors({
    ...(input.includeTrainText === false ? {} : docsTensors(corpus.train, 'train', V)),
    ...docsTensors(corpus.validation, 'val', V),
    eval_windows: { shape: [windows.length, 2], data: Int32Array.from(windows.flatMap((w) => [w.doc, w.start])) },
  });
  const files: ExportFile[] = [
    { name: 'README.md', data: exportReadme(doc, train, evaluation, input.includeTrainText !== false) },
    { name: 'model.py', data: modelPy(doc.label, model) },
    { name: 'train.py', data: TRAIN_PY },
    { name: 'lab_data.py', data: LAB_DATA_PY },
    { name: 'config.json', data: `${JSON.stringify(config, null, 2)}\n` },
    { name: 'tokenizer.json', data: `${JSON.stringify(corpus.tokenizer.toJSON())}\n` },
    { name: 'results.json', data: `${JSON.stringify(doc, null, 2)}\n` },
    { name: 'weights.safetensors', data: encodeSafetensors(tensorsOf(table, input.trained), { format: 'pt' }) },
    { name: 'data.safetensors', data },
  ];
  const s = input.start;
  if (s) {
    const S = s.losses.length;
    const shape = [S, train.batchSize, train.seqLen];
    files.push({
      name: 'check.safetensors',
      data: encodeSafetensors({
        ...tensorsOf(table, s.init, 'init/'),
        ...tensorsOf(table, s.grads, 'grad/'),
        batch_input: { shape, data: Int32Array.from(s.inputs) },
        batch_target: { shape, data: Int32Array.from(s.targets) },
        losses: { shape: [S], data: Float32Array.from(s.losses) },
        ...(kind === 'rndemb' ? { stream_rows: { shape: [maxL, model.nEmbd], data: streamRows(model, maxL) } } : {}),
      }),
    });
  }
  return files;
}
