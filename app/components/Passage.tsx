// "The passage, coloured by loss": a validation passage of up to 16x T read by
// a run, each character shaded by the run's loss on it, or by run A's loss
// minus run B's (where one beats the other), with the first T characters
// underlined and a legend. Hovering a character, or moving through the
// passage with the arrow keys, shows the models' five most likely characters
// there. The shades, the difference and the HTML export are
// src/report/passageColours.ts; this component only draws them.
import { type KeyboardEvent, type MouseEvent, useId, useMemo, useState } from 'react';
import {
  diffScaleMax,
  legendStops,
  lossDiff,
  lossScaleMax,
  passageCells,
  passageHtml,
  scaleText,
  shownChar,
  topLine,
} from '../../src/report/passageColours';
import type { PassageResult } from '../../src/sample/request';
import { downloadText } from '../download';
import { type SpeakingRuns, speakingRuns } from '../speak';
import { useLab, useLabState } from './context';
import { NO_RUN } from './Speak';

interface Reading {
  label: string;
  result: PassageResult;
}

/** `runs`: the runs to offer (the compare view's); the lab's latest experiment when absent. */
export function Passage({ runs }: { runs?: SpeakingRuns }) {
  const lab = useLab();
  const labRuns = useLabState((s) => s.runs);
  const { ready } = runs ?? speakingRuns(labRuns);
  const [aId, setA] = useState('');
  const [bId, setB] = useState('');
  const [factor, setFactor] = useState(4);
  const [readings, setReadings] = useState<Reading[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cur, setCur] = useState(1);
  const id = useId();
  const a = ready.find((r) => r.id === aId) ?? ready[0];
  const b = ready.find((r) => r.id === bId && r.id !== a?.id);

  const go = async () => {
    if (!a) {
      setProblem(NO_RUN);
      return;
    }
    setProblem(null);
    setBusy(true);
    const got: Reading[] = [];
    for (const r of b ? [a, b] : [a]) {
      const ans = await lab.speak.ask({ type: 'passage', runId: r.id, request: { factor } });
      if (ans.type !== 'passage') {
        setProblem(`${r.label}: ${ans.type === 'error' ? ans.message : 'unexpected answer'}`);
        setBusy(false);
        return;
      }
      got.push({ label: r.label, result: ans.result });
    }
    setReadings(got);
    setCur(1);
    setBusy(false);
  };

  const view = useMemo(() => {
    const [ra, rb] = readings;
    if (!ra) return null;
    const diff = rb ? lossDiff(ra.result, rb.result) : undefined;
    const max = diff ? diffScaleMax(diff) : lossScaleMax([ra.result.losses]);
    return { ra, rb, max, cells: passageCells(ra.result, max, diff), stops: legendStops(diff ? 'diff' : 'loss', max) };
  }, [readings]);

  const move = (e: KeyboardEvent) => {
    if (!view) return;
    const last = view.cells.length - 1;
    const to = { ArrowRight: cur + 1, ArrowLeft: cur - 1, Home: 1, End: last }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    setCur(Math.min(last, Math.max(1, to)));
  };
  // One listener for the whole passage (up to 16x T characters), not one per character.
  const hover = (e: MouseEvent) => {
    const i = Number((e.target as HTMLElement).dataset.i);
    if (i > 0) setCur(i);
  };
  const p = cur - 1;
  if (!ready.length) return null;
  const guesses = (r: Reading) =>
    `${r.label} loss ${r.result.losses[p]?.toFixed(2)}, guessed ${topLine(r.result.top[p] ?? [])}`;
  const about = view
    ? `Character ${cur} ("${shownChar(view.cells[cur]?.char ?? '').trim() || '␣'}"): ${guesses(view.ra)}` +
      (view.rb ? `; ${guesses(view.rb)}` : '')
    : '';
  const options = ready.map((r) => (
    <option key={r.id} value={r.id}>
      {r.label}
    </option>
  ));

  return (
    <section className="panel passage-panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>The passage, coloured by loss</h2>
      <p className="help">
        A validation passage read by a run: each character shaded by the run's loss on it. With a second run, the
        difference: where one model beats the other.
      </p>
      <div className="passage-controls">
        <label>
          Run A{' '}
          <select value={a?.id ?? ''} onChange={(e) => setA(e.target.value)}>
            {options}
          </select>
        </label>
        <label>
          minus run B{' '}
          <select value={b?.id ?? ''} onChange={(e) => setB(e.target.value)}>
            <option value="">none (A's loss)</option>
            {options}
          </select>
        </label>
        <label>
          Length{' '}
          <select value={factor} onChange={(e) => setFactor(Number(e.target.value))}>
            {[1, 4, 16].map((f) => (
              <option key={f} value={f}>
                {f}x T
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={go} disabled={busy}>
          {busy ? 'Reading…' : 'Colour the passage'}
        </button>
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {view && (
        <>
          <p className="passage-legend">
            {scaleText(view.ra.label, view.rb?.label)}
            {'. '}
            {view.stops.map((s) => (
              <span key={s.value} className="passage-stop" style={{ background: s.colour }}>
                {s.value.toFixed(2)}
              </span>
            ))}{' '}
            Underlined: the first T = {view.ra.result.trainLength} characters predicted, within the training length.
          </p>
          {/* One tab stop for the whole passage, a slider over its characters: arrows move, the value says what
              the models guessed there (as the line below it does for the eye). */}
          <div
            className="passage"
            role="slider"
            tabIndex={0}
            aria-label="The coloured passage, character by character"
            aria-valuemin={1}
            aria-valuemax={view.cells.length - 1}
            aria-valuenow={cur}
            aria-valuetext={about}
            onKeyDown={move}
            onMouseMove={hover}
          >
            {view.cells.map((c, i) => (
              <span
                key={i}
                className={`${c.withinT ? 't' : ''}${i === cur ? ' cur' : ''}`}
                style={{ background: c.colour }}
                data-i={i}
              >
                {shownChar(c.char)}
              </span>
            ))}
          </div>
          <p className="passage-top">{about}</p>
          <button
            type="button"
            onClick={() =>
              downloadText(
                'passage.html',
                passageHtml({ title: 'The passage, coloured by loss', a: view.ra, ...(view.rb ? { b: view.rb } : {}) }),
                'text/html',
              )
            }
          >
            Download as HTML
          </button>
        </>
      )}
    </section>
  );
}
