// The PyTorch export's files without a GPU or Python: every mechanism has a class in model.py, the safetensors
// the lab writes (header, alignment, bytes), the folder's files for a tiny text corpus, and the one-line refusals.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { MECHANISMS } from '../../src/choices';
import { DEFAULT_MODEL, DEFAULT_TRAIN, type ModelConfig } from '../../src/config';
import { corpusFromDocuments } from '../../src/data/corpus';
import { DEFAULT_EVAL } from '../../src/eval/config';
import type { ResultsDoc } from '../../src/eval/results';
import { makeRun } from '../../src/experiment/run_config';
import { buildTorchExport, ExportError, mechanismsWithoutClass, runExportProblem } from '../../src/export/bundle';
import { pyMechanism } from '../../src/export/py_mechanisms';
import { modelPy } from '../../src/export/py_model';
import { encodeSafetensors, safetensorsHeader } from '../../src/export/safetensors';
import { crc32, zipFiles } from '../../src/export/zip';
import { buildParamTable, paramSpecs } from '../../src/model/params';

describe('model.py', () => {
  test('has a class for every mechanism of the lab, listed in its MECHANISMS table', () => {
    expect(mechanismsWithoutClass()).toEqual([]);
    const py = modelPy('x', { ...DEFAULT_MODEL, layers: ['softmax'], nLayer: 1 });
    for (const m of MECHANISMS) {
      const cls = pyMechanism(m)!.cls;
      expect(py).toContain(`\nclass ${cls}(`);
      expect(py).toContain(`    "${m}": ${cls},`);
    }
  });
});

describe('safetensors', () => {
  test('header length, JSON header padded to 8 bytes, raw little-endian data at the offsets', () => {
    const f = Float32Array.from([1.5, -2, 3.25]);
    const i = Int32Array.from([7, -8]);
    const bytes = encodeSafetensors({ a: { shape: [3], data: f }, b: { shape: [1, 2], data: i } }, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const h = safetensorsHeader(bytes);
    expect(h.a).toEqual({ dtype: 'F32', shape: [3], data_offsets: [0, 12] });
    expect(h.b).toEqual({ dtype: 'I32', shape: [1, 2], data_offsets: [12, 20] });
    expect(bytes.length).toBe(8 + n + 20);
    const view = new DataView(bytes.buffer, 8 + n);
    expect([view.getFloat32(0, true), view.getFloat32(4, true), view.getFloat32(8, true)]).toEqual([1.5, -2, 3.25]);
    expect(view.getInt32(16, true)).toBe(-8);
    expect(() => encodeSafetensors({ a: { shape: [2], data: f } })).toThrow(/3 values for shape 2/);
  });
});

describe('the exported folder', () => {
  const text = 'the quick brown fox jumps over the lazy dog. '.repeat(8);
  const corpus = corpusFromDocuments('tiny', [text, text.slice(3)], [text.slice(5)]);
  const model: ModelConfig = {
    ...DEFAULT_MODEL,
    vocabSize: corpus.tokenizer.size,
    nLayer: 2,
    nEmbd: 8,
    nHead: 2,
    layers: ['fixedseqqk', 'softmax'],
    trainLength: 8,
  };
  const table = buildParamTable(paramSpecs(model));
  const train = { ...DEFAULT_TRAIN, seqLen: 8, batchSize: 2 };
  const evaluation = { ...DEFAULT_EVAL, factors: [1, 2], windows: 2 };
  const doc = {
    label: 'tiny',
    engineVersion: 'test',
    createdAt: 'now',
    model,
    data: { name: 'tiny' },
    lossVsLength: [{ label: 'as trained', reweightP: null, hybridskip: false, lengths: [] }],
  } as unknown as ResultsDoc;

  test('has every file, the weights by the lab names, the passage and the windows', () => {
    const trained = new Float32Array(table.total).fill(0.5);
    const stream = corpus.validation[0].subarray(0, 16);
    const files = buildTorchExport({ doc, train, evaluation, corpus, trained, stream });
    const names = files.map((f) => f.name).sort();
    expect(names).toEqual(
      [
        'README.md',
        'config.json',
        'data.safetensors',
        'lab_data.py',
        'model.py',
        'results.json',
        'tokenizer.json',
        'train.py',
        'weights.safetensors',
      ].sort(),
    );
    const get = (n: string) => files.find((f) => f.name === n)!.data;
    const weights = safetensorsHeader(get('weights.safetensors') as Uint8Array);
    expect(Object.keys(weights).filter((k) => k !== '__metadata__')).toEqual(table.entries.map((e) => e.name));
    expect(weights['h0.attn.w_qkv'].shape).toEqual([24, 8]);
    const config = JSON.parse(get('config.json') as string);
    expect(config.model.fixedPassage).toEqual(Array.from(stream));
    const data = safetensorsHeader(get('data.safetensors') as Uint8Array);
    expect(data.eval_windows.shape).toEqual([2, 2]);
    expect(data.train_tokens.dtype).toBe('U8');
  });

  test('refuses, in one line, what it cannot export', () => {
    const trained = new Float32Array(3);
    expect(() => buildTorchExport({ doc, train, evaluation, corpus, trained })).toThrow(ExportError);
    expect(runExportProblem(makeRun({ data: { source: 'task' } }), 10)).toMatch(/^the PyTorch export covers text runs/);
    const unknown = { ...doc, model: { ...model, layers: ['softmax', 'nosuch'] } } as unknown as ResultsDoc;
    expect(() => buildTorchExport({ doc: unknown, train, evaluation, corpus, trained })).toThrow(
      "the PyTorch export has no class for mechanism 'nosuch' yet",
    );
  });
});

describe('the zip the lab downloads', () => {
  test('stores every file under one folder, readable by Python zipfile', () => {
    const zip = zipFiles('run', [
      { name: 'a.txt', data: 'hello' },
      { name: 'b.bin', data: Uint8Array.from([0, 1, 2, 255]) },
    ]);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import sys, zipfile, io; z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())); z.testzip(); ' +
          'print(z.namelist(), z.read("run/a.txt").decode(), list(z.read("run/b.bin")))',
      ],
      { input: zip },
    );
    expect(py.stdout.toString().trim()).toBe("['run/a.txt', 'run/b.bin'] hello [0, 1, 2, 255]");
  });
});
