// The classroom compare view: the teacher pastes students' result links (one
// per line); each is validated. Links of a classroom sweep's seats (Share
// panel, "Classroom sweep") are merged by the command line's merge rules
// (src/experiment/sweep.ts): one plot of the whole sweep with seed bands, the
// seats still missing, and links of another sweep refused by name. Other
// links are labelled with the student's name and overlaid.
import { useMemo, useState } from 'react';
import type { ResultsDoc } from '../../src/eval/results';
import { type Merged, MergeRefusal, pairName, SweepMerge } from '../../src/experiment/sweep';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { downloadText } from '../download';
import { readStudentLink, resultsJson, type StudentResults } from '../export';
import { PlotView } from './PlotView';

export function Compare() {
  const [text, setText] = useState('');
  const [got, setGot] = useState<StudentResults[]>([]);
  const [merged, setMerged] = useState<Merged | null>(null);
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
    const sweep = new SweepMerge();
    for (const [i, l] of lines.entries()) {
      try {
        const r = await readStudentLink(l, i + 1);
        if (r.sweep) sweep.add({ source: `link ${i + 1}`, docs: r.sweep });
        else ok.push(r);
      } catch (e) {
        bad.push(
          e instanceof MergeRefusal ? e.message : `link ${i + 1}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    setGot(ok);
    setMerged(sweep.result());
    setProblems(bad);
    setBusy(false);
  };
  const docs = useMemo(() => got.flatMap((g) => g.docs), [got]);
  const svg = useMemo(() => lossVsLengthSvg(docs, { width: 780, height: 360 }), [docs]);
  const sweepSvg = useMemo(() => merged && lossVsLengthSvg(merged.docs, { width: 780, height: 360 }), [merged]);
  return (
    <details className="panel compare">
      <summary>
        <h2>Classroom: compare students' results</h2>
      </summary>
      <label htmlFor="compare-links">
        Paste result links, one per line (each made with “Copy link with results”, or a sweep seat's “Copy seat results
        link”)
      </label>
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
      {merged && sweepSvg && <SweepView merged={merged} svg={sweepSvg} />}
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

/** A classroom sweep merged from its seats' links: what is in, what is missing, the plot. */
function SweepView({ merged, svg }: { merged: Merged; svg: SVGSVGElement }) {
  const total = merged.tag.pairs.length;
  const links = new Set(merged.sources).size;
  const docs: ResultsDoc[] = merged.docs;
  return (
    <div className="sweep-merge" data-testid="sweep-merge">
      <p>
        Classroom sweep <strong>{merged.name}</strong> (sweep {merged.id}): {docs.length} of {total} runs, from{' '}
        {`${links} link${links === 1 ? '' : 's'}`}.
      </p>
      {merged.missing.length ? (
        <ul className="note" data-testid="sweep-missing">
          {merged.missing.map((m) => (
            <li key={m.shard[0]}>
              Missing: seat {m.shard[0]} of {m.shard[1]} ({m.pairs.map((i) => pairName(merged.tag, i)).join(', ')})
            </li>
          ))}
        </ul>
      ) : (
        <p data-testid="sweep-complete">Complete: all {total} runs of the sweep are in.</p>
      )}
      {merged.adapters.length > 1 && (
        <p className="help">
          The seats ran on {merged.adapters.length} different GPUs ({merged.adapters.join('; ')}): their numbers can
          differ in the last digits from one machine's run of the whole sweep.
        </p>
      )}
      <PlotView
        svg={svg}
        name={`classroom-sweep-${merged.id}`}
        title="The class's sweep: validation loss against evaluation length (mean and range over seeds)"
        testId="plot-sweep"
      />
      <button
        type="button"
        onClick={() => downloadText(`classroom-sweep-${merged.id}.json`, resultsJson(docs), 'application/json')}
      >
        Download the merged results (JSON)
      </button>
    </div>
  );
}
