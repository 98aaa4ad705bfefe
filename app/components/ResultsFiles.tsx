// The results as files: JSON and CSV exports named after the experiment (and
// the student), and the import of a results file, which says what it added.
import type { ResultsDoc } from '../../src/eval/results';
import { runId } from '../compare_data';
import { downloadText } from '../download';
import { fileName, lossVsLengthCsv, readResultsFile, resultsJson, trainingCurveCsv } from '../export';
import { useLab, useLabState } from './context';

export function ResultsFiles({ docs }: { docs: ResultsDoc[] }) {
  const { store } = useLab();
  const runs = useLabState((s) => s.runs);
  const who = { experiment: useLabState((s) => s.experiment.label), student: useLabState((s) => s.student) };
  // An imported run keeps its file's name in its label, so it never merges with a run of the same name here;
  // a run already here (the same document) is not added twice.
  const importFile = async (f: File | undefined) => {
    if (!f) return;
    try {
      const got = readResultsFile(await f.text());
      const here = new Set(runs.flatMap((r) => (r.doc ? [runId(r.doc)] : [])));
      const fresh = got.filter((d) => !here.has(runId(d))).map((d) => ({ ...d, label: `${d.label} (${f.name})` }));
      store.getState().addShared(fresh, 'file', f.name);
      const skipped = got.length - fresh.length;
      store.getState().pushBanner({
        kind: 'info',
        title: `Imported ${fresh.length} run${fresh.length === 1 ? '' : 's'} from ${f.name}`,
        lines: skipped ? [`${skipped} run${skipped === 1 ? ' was' : 's were'} already here and not added again.`] : [],
      });
    } catch (e) {
      store.getState().pushBanner({
        kind: 'error',
        title: `The file ${f.name} was rejected`,
        lines: [e instanceof Error ? e.message : String(e)],
      });
    }
  };

  return (
    <div className="row exports">
      <span>Results:</span>
      <button
        type="button"
        disabled={!docs.length}
        onClick={() => downloadText(fileName(who, 'results.json'), resultsJson(docs), 'application/json')}
      >
        Export JSON
      </button>
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
