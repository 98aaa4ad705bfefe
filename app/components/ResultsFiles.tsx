// The results as files: JSON and CSV exports named after the experiment (and
// the student), and the import of a results file, which says what it added.

import { useState } from 'react';
import type { ResultsDoc } from '../../src/eval/results';
import { runId } from '../compare_data';
import { downloadText } from '../download';
import {
  checkResultsFileSize,
  fileName,
  lossVsLengthCsv,
  readResultsFileWithWeights,
  resultsJson,
  trainingCurveCsv,
} from '../export';
import { keepFileWeights, sizeText, withWeights } from '../weights_files';
import { useLab, useLabState } from './context';

export function ResultsFiles({ docs }: { docs: ResultsDoc[] }) {
  const { store, speak } = useLab();
  const [weights, setWeights] = useState(false);
  const runs = useLabState((s) => s.runs);
  const who = { experiment: useLabState((s) => s.experiment.label), student: useLabState((s) => s.student) };
  // An imported run keeps its file's name in its label, so it never merges with a run of the same name here;
  // a run already here (the same document) is not added twice.
  const importFile = async (f: File | undefined) => {
    if (!f) return;
    try {
      checkResultsFileSize(f.size);
      const file = readResultsFileWithWeights(await f.text());
      const here = new Set(runs.flatMap((r) => (r.doc ? [runId(r.doc)] : [])));
      const fresh = file.docs.flatMap((d, i) => (here.has(runId(d)) ? [] : [i]));
      const ids = store.getState().addShared(
        fresh.map((i) => ({ ...file.docs[i], label: `${file.docs[i].label} (${f.name})` })),
        'file',
        f.name,
      );
      const skipped = file.docs.length - fresh.length;
      const w = await keepFileWeights(
        speak,
        ids,
        fresh.map((i) => file.weights[i]),
      );
      const config = new Map(fresh.flatMap((i, k) => (file.weights[i] ? [[ids[k], file.weights[i]!.run]] : [])));
      store.setState((st) => ({
        runs: st.runs.map((r) =>
          w.kept.has(r.id) ? { ...r, weightsFromFile: true, config: config.get(r.id) ?? r.config } : r,
        ),
      }));
      store.getState().pushBanner({
        kind: file.refused.length + w.refused.length ? 'error' : 'info',
        title: `Imported ${fresh.length} run${fresh.length === 1 ? '' : 's'} from ${f.name}`,
        lines: [
          ...(skipped ? [`${skipped} run${skipped === 1 ? ' was' : 's were'} already here and not added again.`] : []),
          ...(w.kept.size ? [`${w.kept.size} carried weights: they can continue text and read a passage.`] : []),
          ...[...file.refused, ...w.refused].map((l) => `Weights refused (the results still loaded): ${l}`),
        ],
      });
    } catch (e) {
      store.getState().pushBanner({
        kind: 'error',
        title: `The file ${f.name} was rejected`,
        lines: [e instanceof Error ? e.message : String(e)],
      });
    }
  };

  const exportJson = async () => {
    const out = weights ? await withWeights(speak, docs, runs) : { docs, missing: [] };
    const json = resultsJson(out.docs);
    downloadText(fileName(who, 'results.json'), json, 'application/json');
    if (!weights) return;
    const plain = resultsJson(docs).length;
    store.getState().pushBanner({
      kind: 'info',
      title: `Exported ${docs.length - out.missing.length} of ${docs.length} runs with weights`,
      lines: [
        `The file is ${sizeText(json.length)}; without weights it would be ${sizeText(plain)}.`,
        ...(out.missing.length ? [`Without weights (not kept, or not a text run): ${out.missing.join(', ')}`] : []),
      ],
    });
  };

  return (
    <div className="row exports">
      <span>Results:</span>
      <button type="button" disabled={!docs.length} onClick={() => void exportJson()}>
        Export JSON
      </button>
      <label title="Each text run's trained weights go into the file, so it can continue text where it is loaded">
        <input type="checkbox" checked={weights} onChange={(e) => setWeights(e.target.checked)} /> with weights (larger
        file)
      </label>
      <button
        type="button"
        disabled={!docs.length}
        onClick={() => downloadText(fileName(who, 'loss-vs-length.csv'), lossVsLengthCsv(docs, who), 'text/csv')}
      >
        Export CSV (loss vs length)
      </button>
      <button
        type="button"
        disabled={!docs.length}
        onClick={() => downloadText(fileName(who, 'training.csv'), trainingCurveCsv(docs, who), 'text/csv')}
      >
        Export CSV (training curves)
      </button>
      <label className="file-button">
        Import results (JSON)
        <input type="file" accept=".json,application/json" onChange={(e) => void importFile(e.target.files?.[0])} />
      </label>
    </div>
  );
}
