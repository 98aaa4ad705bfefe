// The presets gallery: the seven classroom experiments, each with the
// question it asks and what the paper found; "Load" replaces the experiment.
import { PRESETS, presetExperiment } from '../../src/experiment/presets';
import { useLab, useLabState } from './context';

export function Presets() {
  const { store } = useLab();
  const current = useLabState((s) => s.experiment.label);
  return (
    <section className="panel presets" aria-labelledby="presets-h">
      <h2 id="presets-h">Presets</h2>
      <ul className="preset-list">
        {PRESETS.map((p) => (
          <li key={p.id} className={`preset${current === p.title ? ' current' : ''}`}>
            <h3>{p.title}</h3>
            <p>{p.question}</p>
            <details>
              <summary>What the paper found</summary>
              <p>{p.finding}</p>
            </details>
            <button
              type="button"
              aria-label={`Load preset: ${p.title}`}
              onClick={() => store.getState().loadExperiment(presetExperiment(p))}
            >
              Load ({p.runs.length} run{p.runs.length === 1 ? '' : 's'})
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
