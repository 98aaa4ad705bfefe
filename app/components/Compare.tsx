// The classroom compare view: the teacher pastes students' result links (one
// per line); each is validated, labelled with the student's name, and all
// are overlaid on the loss-vs-length plot.
import { useMemo, useState } from 'react';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { readStudentLink, type StudentResults } from '../export';
import { PlotView } from './PlotView';

export function Compare() {
  const [text, setText] = useState('');
  const [got, setGot] = useState<StudentResults[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const read = async () => {
    setBusy(true);
    const lines = text
      .split(/\s*\n\s*/)
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 60);
    const ok: StudentResults[] = [];
    const bad: string[] = [];
    for (const [i, l] of lines.entries()) {
      try {
        ok.push(await readStudentLink(l, i + 1));
      } catch (e) {
        bad.push(`link ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    setGot(ok);
    setProblems(bad);
    setBusy(false);
  };
  const docs = useMemo(() => got.flatMap((g) => g.docs), [got]);
  const svg = useMemo(() => lossVsLengthSvg(docs, { width: 780, height: 360 }), [docs]);
  return (
    <details className="panel compare">
      <summary>
        <h2>Classroom: compare students' results</h2>
      </summary>
      <label htmlFor="compare-links">Paste result links, one per line (each made with “Copy link with results”)</label>
      <textarea id="compare-links" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
      <div className="row">
        <button type="button" onClick={() => void read()} disabled={busy || !text.trim()}>
          Compare
        </button>
        {got.length > 0 && (
          <span className="help">
            {got.length} student{got.length === 1 ? '' : 's'}: {got.map((g) => g.student).join(', ')}
          </span>
        )}
      </div>
      {problems.length > 0 && (
        <ul className="error" role="alert">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      {docs.length > 0 && (
        <PlotView
          svg={svg}
          name="classroom-compare"
          title="Students' validation loss against evaluation length"
          testId="plot-compare"
        />
      )}
    </details>
  );
}
