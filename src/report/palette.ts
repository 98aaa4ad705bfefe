// The colours, markers and dashes of every plot, in the lab, the report and
// the runner's files. Colours are the Okabe–Ito palette (8 colours chosen to
// stay distinct under protanopia, deuteranopia and tritanopia; the unit test
// tests/unit/palette.test.ts checks that under simulated colour-vision
// deficiencies). A run's colour is its place in the lab's run list, so it
// keeps its colour in every plot. Colour is never the only cue: each run's
// line also carries its own marker shape (RUN_SYMBOLS, 7 shapes against 8
// colours, so no two of the first 56 runs share colour and shape), drawn in
// every plot with lines and in every legend; past 8 runs the markers are also
// filled. Variants of one run (re-weighting sweeps, hybridskip) share its
// colour and marker and differ by dash.

/** Okabe & Ito (2008), ordered so that the first ones contrast most with white; yellow, the faintest, last. */
export const PALETTE = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
] as const;

/** The most colours one panel uses; runs past it repeat a colour with another marker. */
export const MAX_COLOURS = PALETTE.length;

export type RunMarker = 'circle-stroke' | 'circle-fill';

/**
 * The runs' marker shapes, by Observable Plot's symbol names (drawn outside Plot by symbols.ts): 7 shapes that stay
 * apart at 7 px, one fewer than the colours, so a colour repeated past 8 runs comes back with another shape.
 */
export const RUN_SYMBOLS = ['circle', 'square', 'triangle', 'diamond', 'star', 'cross', 'wye'] as const;
export type RunSymbol = (typeof RUN_SYMBOLS)[number];

export interface RunStyle {
  colour: string;
  marker: RunMarker;
  /** The shape of the run's markers on its lines and in the legends. */
  symbol: RunSymbol;
  filled: boolean;
}

/** The colour, marker shape and fill of the run at `index` in the colour domain. */
export function runStyle(index: number): RunStyle {
  const i = Math.max(0, index);
  const filled = Math.floor(i / MAX_COLOURS) % 2 === 1;
  return {
    colour: PALETTE[i % MAX_COLOURS],
    marker: filled ? 'circle-fill' : 'circle-stroke',
    symbol: RUN_SYMBOLS[i % RUN_SYMBOLS.length],
    filled,
  };
}

/** The colour of run `name` in `domain` (the lab's run order); a name outside it gets the next free place. */
export function colourOf(name: string, domain: readonly string[]): string {
  const i = domain.indexOf(name);
  return runStyle(i < 0 ? domain.length : i).colour;
}

/** Dash patterns of evaluation variants, in order of first appearance (the run's own evaluation is solid). */
export const VARIANT_DASHES = ['6 3', '2 3', '10 3 2 3', '1 3', '12 4', '4 2 1 2'] as const;

export const variantDash = (k: number): string => VARIANT_DASHES[k % VARIANT_DASHES.length];

/** Grey of baselines, reference rules and secondary text. */
export const GREY = '#666';
