// A run's marker shape, where Plot does not draw it: the legends (the lab's,
// the figure files', the compare view's) draw the same outline Plot's dots
// draw for a symbol name, and the plots put a run's markers on its line
// (runDots) so that two lines of similar colour still differ by shape.
import * as Plot from '@observablehq/plot';
import { type RunStyle, type RunSymbol, runStyle } from './palette';

const SQRT3 = Math.sqrt(3);
const TAU = 2 * Math.PI;

/** Points of `symbol`'s outline centred on 0, 0, as d3-shape's symbols (which Plot draws) of area π r². */
function outline(symbol: Exclude<RunSymbol, 'circle'>, r: number): [number, number][] {
  const size = Math.PI * r * r;
  switch (symbol) {
    case 'square': {
      const h = Math.sqrt(size) / 2;
      return [
        [-h, -h],
        [h, -h],
        [h, h],
        [-h, h],
      ];
    }
    case 'triangle': {
      const y = -Math.sqrt(size / (SQRT3 * 3));
      return [
        [0, 2 * y],
        [-SQRT3 * y, -y],
        [SQRT3 * y, -y],
      ];
    }
    case 'diamond': {
      const y = Math.sqrt(size / (2 * Math.tan(Math.PI / 6)));
      const x = y * Math.tan(Math.PI / 6);
      return [
        [0, -y],
        [x, 0],
        [0, y],
        [-x, 0],
      ];
    }
    case 'star': {
      const kr = Math.sin(Math.PI / 10) / Math.sin((7 * Math.PI) / 10);
      const R = Math.sqrt(size * 0.8908130915292852);
      const [x, y] = [Math.sin(TAU / 10) * kr * R, -Math.cos(TAU / 10) * kr * R];
      const pts: [number, number][] = [
        [0, -R],
        [x, y],
      ];
      for (let i = 1; i < 5; i++) {
        const [c, s] = [Math.cos((TAU * i) / 5), Math.sin((TAU * i) / 5)];
        pts.push([s * R, -c * R], [c * x - s * y, s * x + c * y]);
      }
      return pts;
    }
    case 'cross': {
      const k = Math.sqrt(size / 5) / 2;
      return [
        [-3 * k, -k],
        [-k, -k],
        [-k, -3 * k],
        [k, -3 * k],
        [k, -k],
        [3 * k, -k],
        [3 * k, k],
        [k, k],
        [k, 3 * k],
        [-k, 3 * k],
        [-k, k],
        [-3 * k, k],
      ];
    }
    case 'wye': {
      const [c, s, k] = [-0.5, SQRT3 / 2, 1 / Math.sqrt(12)];
      const R = Math.sqrt(size / ((k / 2 + 1) * 3));
      const [x0, y0, x1, y1] = [R / 2, R * k, R / 2, R * k + R];
      const [x2, y2] = [-x1, y1];
      return [
        [x0, y0],
        [x1, y1],
        [x2, y2],
        [c * x0 - s * y0, s * x0 + c * y0],
        [c * x1 - s * y1, s * x1 + c * y1],
        [c * x2 - s * y2, s * x2 + c * y2],
        [c * x0 + s * y0, c * y0 - s * x0],
        [c * x1 + s * y1, c * y1 - s * x1],
        [c * x2 + s * y2, c * y2 - s * x2],
      ];
    }
  }
}

/** An SVG path `d` of `symbol` of radius `r` centred at cx, cy (Plot's shape and size for a dot of radius r). */
export function symbolPath(symbol: RunSymbol, r: number, cx = 0, cy = 0): string {
  const n = (v: number) => Number(v.toFixed(2));
  if (symbol === 'circle') {
    const arc = (x: number) => `A${n(r)},${n(r)},0,1,1,${n(x)},${n(cy)}`;
    return `M${n(cx + r)},${n(cy)}${arc(cx - r)}${arc(cx + r)}Z`;
  }
  return `M${outline(symbol, r)
    .map(([x, y]) => `${n(cx + x)},${n(cy + y)}`)
    .join('L')}Z`;
}

/** The attributes of a run's marker in a legend: its shape, its colour as outline, filled past the 8th run. */
export function legendMarker(s: RunStyle, r: number, cx: number, cy: number): Record<string, string | number> {
  return {
    d: symbolPath(s.symbol, r, cx, cy),
    'data-symbol': s.symbol,
    stroke: s.colour,
    'stroke-width': 1.5,
    fill: s.filled ? s.colour : 'white',
  };
}

/**
 * A run's markers on its line: `data`'s points (all, or `every`-th ones, the last always) in the shape of the run at
 * `index` of the colour domain, outlined in its colour (the `stroke` channel's scale) and hollow unless it is filled.
 */
export function runDots<T>(
  data: readonly T[],
  o: {
    x: string;
    y: string;
    stroke: string;
    index: number;
    opacity?: number;
    every?: number;
    r?: number;
    /** Filled in the run's colour whatever its place (the training line's marks, against hollow validation). */
    filled?: boolean;
  },
): Plot.Markish {
  const s = runStyle(o.index);
  const step = Math.max(1, o.every ?? 1);
  const pts = data.filter((_, i) => i % step === 0 || i === data.length - 1);
  return Plot.dot(pts, {
    x: o.x,
    y: o.y,
    stroke: o.stroke,
    symbol: s.symbol,
    r: o.r ?? 3.5,
    strokeWidth: 1.5,
    fill: (o.filled ?? s.filled) ? o.stroke : 'white',
    strokeOpacity: o.opacity ?? 1,
    fillOpacity: o.opacity ?? 1,
  });
}
