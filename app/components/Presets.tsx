// The first screen (issue 15): the experiments as cards, the quick demo first.
// Each card says its question, runs in one press ("Edit first" loads it into
// "Build your own" instead) and shows the reference result measured on a
// software adapter (docs/figures), below the buttons so that a phone's first
// screen still holds the quick demo's. Pictures are separate files the browser
// fetches only when a card scrolls into view, so the page's script does not grow.
import { useId } from 'react';
import { PRESETS, type Preset, presetExperiment, QUICK_DEMO } from '../../src/experiment/presets';
import { isStudentLink } from '../classroom';
import { useLab, useLabState } from './context';

// Vite turns each matching file into an asset of the build and this map into its URLs (strings, not the SVGs).
// A preset's picture is its answer figure; the quick demo's, the runner's --plot (answer above the curves).
const FIGURES = import.meta.glob<string>(['../../docs/figures/*-answer.svg', '../../docs/figures/quick-demo.svg'], {
  query: '?url',
  import: 'default',
  eager: true,
});
const figureOf = (id: string): string | undefined =>
  FIGURES[`../../docs/figures/${id}-answer.svg`] ?? FIGURES[`../../docs/figures/${id}.svg`];

/** Brings the run queue into view when it is not (one column on a phone, or a card far down the list). */
function showQueue() {
  const q = document.getElementById('queue-h');
  const top = q?.getBoundingClientRect().top ?? 0;
  if (q && (top < 0 || top > innerHeight - 80)) q.scrollIntoView({ block: 'start' });
}

function Card({ p, onEdit, featured }: { p: Preset; onEdit: () => void; featured?: boolean }) {
  const lab = useLab();
  const id = useId();
  const current = useLabState((s) => s.experiment.label === p.title);
  // A student's first run waits for the name (Builder's NameField); without a GPU nothing runs.
  const blocked = useLabState((s) => s.gpu.state !== 'ok' || (isStudentLink(s.teacher) && !s.student));
  const figure = figureOf(p.id);
  const n = p.runs.length;
  const load = () => lab.store.getState().loadExperiment(presetExperiment(p));
  return (
    <li className={`preset${featured ? ' featured' : ''}${current ? ' current' : ''}`}>
      <article aria-labelledby={`${id}-t`}>
        <h3 id={`${id}-t`}>{p.title}</h3>
        <p>{p.question}</p>
        <div className="row actions">
          <button
            type="button"
            className="primary"
            aria-describedby={`${id}-t`}
            disabled={blocked}
            onClick={() => {
              load();
              lab.runExperiment();
              showQueue();
            }}
          >
            {featured ? 'Run the quick demo' : `Run ${n === 1 ? 'it' : `all ${n} runs`}`}
          </button>
          <button
            type="button"
            aria-describedby={`${id}-t`}
            onClick={() => {
              load();
              onEdit();
            }}
          >
            Edit first
          </button>
        </div>
        {figure && (
          <figure className="preset-figure">
            <img
              src={figure}
              loading="lazy"
              decoding="async"
              alt={`The reference result of “${p.title}”: ${p.finding}`}
            />
            <figcaption>Reference: seeds 1-3 on a software adapter (docs/figures/{p.id}.json).</figcaption>
          </figure>
        )}
        <details>
          <summary>What the paper found</summary>
          <p>{p.finding}</p>
        </details>
      </article>
    </li>
  );
}

export function Presets({ onEdit }: { onEdit: () => void }) {
  return (
    <section className="panel presets" aria-labelledby="presets-h">
      <h2 id="presets-h">Experiments</h2>
      <p className="help">
        Each runs in your browser, one run after another; the run queue and the results show each run as it finishes.
      </p>
      <ul className="preset-list">
        <Card p={QUICK_DEMO} onEdit={onEdit} featured />
        {PRESETS.map((p) => (
          <Card key={p.id} p={p} onEdit={onEdit} />
        ))}
      </ul>
    </section>
  );
}
