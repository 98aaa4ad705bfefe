// The reference band layer of the loss-against-length plot (issue 15): under each of the user's lines that is a
// run of a preset, the preset's reference (min to max over its seeds, src/report/reference.ts) as a pale band in
// the run's colour with a dotted outline, labelled "reference, 3 seeds". Drawn only where the user's line is (a hidden
// run hides its band), for the run's own evaluation and each variant the reference also measured.
import * as Plot from '@observablehq/plot';
import type { LengthPoint } from './lossVsLength';
import type { ReferenceRun } from './reference';

export interface ReferenceLayer {
  /** The reference run of each plotted run (by the run's series name, LengthPoint.run). */
  runs: ReadonlyMap<string, ReferenceRun>;
  /** How many seeds the bands span, for their label. */
  seeds: number;
}

export interface BandRow {
  run: string;
  series: string;
  factor: number;
  lo: number;
  hi: number;
}

/** Past this many labelled bands, one note in the corner names them all instead of a label at each. */
const MAX_BAND_LABELS = 3;

/** The band's rows under the shown points: one per point whose run has a reference at that variant and length. */
export function referenceRows(shown: readonly LengthPoint[], layer: ReferenceLayer | undefined): BandRow[] {
  if (!layer) return [];
  return shown.flatMap((p) => {
    const pts = layer.runs.get(p.run)?.variants.find((v) => v.name === p.variant)?.points;
    const at = pts?.find(([, length]) => length === p.length);
    return at ? [{ run: p.run, series: p.series, factor: p.factor, lo: at[2], hi: at[4] }] : [];
  });
}

export const referenceLabel = (seeds: number) => `reference, ${seeds} seed${seeds === 1 ? '' : 's'}`;

/** The band's marks (drawn first, so the user's lines lie on top); `fs`: the plot's font size. */
export function referenceMarks(rows: readonly BandRow[], seeds: number, fs: number): Plot.Markish[] {
  if (rows.length === 0) return [];
  // The label sits above the right end of each run's own band, where the curves part; many bands share one note.
  const ends = [...new Set(rows.map((r) => r.series))]
    .map((s) => rows.filter((r) => r.series === s).reduce((a, b) => (b.factor > a.factor ? b : a)))
    .filter((r) => r.series === r.run);
  const text = referenceLabel(seeds);
  const halo = { stroke: 'white', strokeWidth: 3, paintOrder: 'stroke', fontSize: fs * 0.85 } as const;
  return [
    // Dotted edges tell it from a run's own band of seeds (filled, no edge).
    Plot.areaY(rows, {
      x: 'factor',
      y1: 'lo',
      y2: 'hi',
      z: 'series',
      fill: 'run',
      fillOpacity: 0.12,
      stroke: 'run',
      strokeOpacity: 0.7,
      strokeDasharray: '1 2',
      curve: 'monotone-x',
      className: 'reference-band',
    }),
    ends.length <= MAX_BAND_LABELS
      ? Plot.text(ends, {
          x: 'factor',
          y: 'hi',
          dy: -fs * 0.7,
          textAnchor: 'end',
          text: () => text,
          fill: 'run',
          className: 'reference-band-label',
          ...halo,
        })
      : Plot.text([`shaded: ${text} (min to max)`], {
          frameAnchor: 'top-right',
          textAnchor: 'end',
          dx: -8,
          dy: 12,
          fill: '#444',
          className: 'reference-band-label',
          ...halo,
        }),
  ];
}
