// The lab's page: header (device, large text), banners, then the experiments
// (a student's seat, the preset cards, "Build your own" with the builder and
// share panel) beside the results (queue, plots, classroom).
import { useRef, useState } from 'react';
import { Builder } from './components/Builder';
import { Compare } from './components/Compare';
import { useLab, useLabState } from './components/context';
import { Passage } from './components/Passage';
import { Plots } from './components/Plots';
import { Presets } from './components/Presets';
import { Queue } from './components/Queue';
import { Seat } from './components/Seat';
import { Share } from './components/Share';
import { Speak } from './components/Speak';
import { Banners, Device, NoGpu } from './components/Status';

export function App() {
  const { store, opensBuilder } = useLab();
  const [building, setBuilding] = useState(opensBuilder);
  const build = useRef<HTMLDetailsElement>(null);
  // "Edit first": open the builder and move there (focus too, so a keyboard user lands on what they asked for).
  const edit = () => {
    setBuilding(true);
    requestAnimationFrame(() => build.current?.querySelector('summary')?.focus());
  };
  const large = useLabState((s) => s.largeText);
  return (
    <div className={`lab${large ? ' large' : ''}`}>
      <header className="top">
        <div>
          <h1>Attention Lab</h1>
          <p className="tagline">
            Train tiny language models in your browser and see which parts of attention matter when a model reads past
            its training length.
          </p>
        </div>
        <div className="top-right">
          <Device />
          <button type="button" aria-pressed={large} onClick={() => store.getState().toggleLargeText()}>
            Large text
          </button>
        </div>
      </header>
      <NoGpu />
      <Banners />
      <main className="columns">
        <div className="col-left">
          <Seat />
          <Presets onEdit={edit} />
          <details
            ref={build}
            className="build-own"
            open={building}
            onToggle={(e) => setBuilding(e.currentTarget.open)}
          >
            <summary>
              <h2>Build your own</h2>
              <span className="help">every field, your own runs, share and classroom links</span>
            </summary>
            <Builder />
            <Share />
          </details>
        </div>
        <div className="col-right">
          <Queue />
          <Plots />
          <Speak />
          <Passage />
          <Compare />
        </div>
      </main>
    </div>
  );
}
