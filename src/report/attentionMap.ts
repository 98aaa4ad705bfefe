// The attention-map heatmap: one layer, head and length of one run, R x R
// cells (row = query bucket, column = key bucket), each the mean weight.
import * as Plot from '@observablehq/plot';
import type { AttentionMap } from '../eval/map';
import { emptySvg, type PlotOpts, render } from './common';

interface Cell {
  row: number;
  col: number;
  w: number;
  q0: number;
  q1: number;
  k0: number;
  k1: number;
}

export function attentionMapSvg(map: AttentionMap | null, opts: PlotOpts & { title?: string } = {}): SVGSVGElement {
  if (!map) return emptySvg('No attention map for this choice', opts);
  const { R, length: L } = map;
  const size = L / R;
  const cells: Cell[] = [];
  for (let r = 0; r < R; r++)
    for (let c = 0; c <= r; c++) {
      const w = map.cells[r * R + c];
      cells.push({
        row: r,
        col: c,
        w,
        q0: Math.floor(r * size) + 1,
        q1: Math.floor((r + 1) * size),
        k0: Math.floor(c * size) + 1,
        k1: Math.floor((c + 1) * size),
      });
    }
  const ticks = Array.from({ length: R }, (_, i) => i).filter((i) => i % Math.max(1, Math.round(R / 8)) === 0);
  const w = opts.width ?? 420;
  return render(
    {
      width: w,
      height: opts.height ?? w,
      padding: 0,
      marginTop: 44,
      marginLeft: 64,
      x: {
        label: 'key position',
        labelAnchor: 'center',
        labelArrow: 'none',
        domain: Array.from({ length: R }, (_, i) => i),
        ticks,
        tickFormat: (i: number) => String(Math.floor(i * size) + 1),
        axis: 'top',
      },
      y: {
        label: 'query position',
        labelAnchor: 'center',
        labelArrow: 'none',
        domain: Array.from({ length: R }, (_, i) => i),
        ticks,
        tickFormat: (i: number) => String(Math.floor(i * size) + 1),
      },
      color: { type: 'sqrt', scheme: 'blues', legend: false, label: 'weight' },
      marks: [
        Plot.cell(cells, { x: 'col', y: 'row', fill: 'w', inset: 0 }),
        Plot.tip(
          cells,
          Plot.pointer({
            x: 'col',
            y: 'row',
            title: (d: Cell) => `queries ${d.q0}-${d.q1}, keys ${d.k0}-${d.k1}\nmean weight ${d.w.toExponential(3)}`,
          }),
        ),
      ],
    },
    { ...opts, width: w, height: opts.height ?? w },
    `attention map: layer ${map.layer + 1}, head ${map.head + 1}, length ${L}`,
  );
}
