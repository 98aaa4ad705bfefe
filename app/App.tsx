// The lab's page: header (device, large text), banners, then the experiment
// (presets, builder, share) beside the results (queue, plots, classroom).
import { Builder } from './components/Builder';
import { Compare } from './components/Compare';
import { useLab, useLabState } from './components/context';
import { Plots } from './components/Plots';
import { Presets } from './components/Presets';
import { Queue } from './components/Queue';
import { Seat } from './components/Seat';
import { Share } from './components/Share';
import { Banners, Device, NoGpu } from './components/Status';

export function App() {
  const { store } = useLab();
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
          <Builder />
          <Share />
          <Presets />
        </div>
        <div className="col-right">
          <Queue />
          <Plots />
          <Compare />
        </div>
      </main>
    </div>
  );
}
