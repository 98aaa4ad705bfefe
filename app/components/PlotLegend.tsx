// The plots' legends: each run's colour and marker shape with its show and
// highlight controls, and what the variant lines' dash patterns mean.
import type { PlotOpts } from '../../src/report/common';
import { type RunStyle, runStyle, variantDash } from '../../src/report/palette';
import { symbolPath } from '../../src/report/symbols';
import { useLab } from './context';

export function Legend({ names, opts }: { names: string[]; opts: PlotOpts }) {
  const { store } = useLab();
  return (
    <ul className="legend" aria-label="Runs in the plots">
      {names.map((n, i) => {
        const hidden = !!opts.hidden?.has(n);
        return (
          <li key={n} className={hidden ? 'off' : ''}>
            <label>
              <input
                type="checkbox"
                checked={!hidden}
                onChange={() => store.getState().toggleHidden(n)}
                aria-label={`Show ${n}`}
              />
              <LineSample colour={runStyle(i).colour} run={runStyle(i)} />
              {n}
            </label>
            <button
              type="button"
              className="link"
              aria-pressed={opts.highlight === n}
              onClick={() => store.getState().setHighlight(n)}
            >
              {opts.highlight === n ? 'unhighlight' : 'highlight'}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** A legend's line sample: the run's colour and marker shape (as its lines draw them), or a variant's dash in grey. */
function LineSample({ colour, run, dash }: { colour: string; run?: RunStyle; dash?: string }) {
  return (
    <svg className="line-sample" width="26" height="12" viewBox="0 0 26 12" aria-hidden="true">
      <line x1="1" x2="25" y1="6" y2="6" stroke={colour} strokeWidth="2.5" strokeDasharray={dash} />
      {run && (
        <path
          d={symbolPath(run.symbol, 3.5, 13, 6)}
          data-symbol={run.symbol}
          stroke={colour}
          strokeWidth="1.5"
          fill={run.filled ? colour : 'white'}
        />
      )}
    </svg>
  );
}

/** What the loss plot's dash patterns mean (re-weighting sweeps, hybridskip), when it has variant lines. */
export function VariantKey({ variants }: { variants: string[] }) {
  if (!variants.length) return null;
  return (
    <ul className="legend variant-key" aria-label="Line styles in the loss plot">
      <li>
        <LineSample colour="#444" dash="" /> as trained
      </li>
      {variants.map((v, k) => (
        <li key={v}>
          <LineSample colour="#444" dash={variantDash(k)} /> {v}
        </li>
      ))}
    </ul>
  );
}
