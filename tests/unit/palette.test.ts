// The plots' palette (src/report/palette.ts) stays distinct for the common
// colour-vision deficiencies: every pair of colours, seen through a simulated
// protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes
// 2009, severity 1), stays at least 15 CIELAB units apart (Plot's former
// tableau10 drops to 1 under deuteranopia: its red and green). Runs past the
// palette repeat a colour with another marker; variants differ by dash.
import { describe, expect, test } from 'vitest';
import {
  colourOf,
  MAX_COLOURS,
  PALETTE,
  RUN_SYMBOLS,
  runStyle,
  VARIANT_DASHES,
  variantDash,
} from '../../src/report/palette';
import { symbolPath } from '../../src/report/symbols';

const SIM: Record<string, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
  'normal vision': [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};

const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

/** CIELAB (D65) of a colour seen through `m` (applied in linear RGB, clamped). */
function lab(hex: string, m: number[][]): [number, number, number] {
  const rgb = [1, 3, 5].map((i) => linear(Number.parseInt(hex.slice(i, i + 2), 16) / 255));
  const [r, g, b] = m.map((row) => Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2])));
  const X = 0.4124 * r + 0.3576 * g + 0.1805 * b;
  const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const Z = 0.0193 * r + 0.1192 * g + 0.9505 * b;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const [fx, fy, fz] = [f(X / 0.95047), f(Y), f(Z / 1.08883)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function closestPair(colours: readonly string[], m: number[][]): { d: number; pair: string } {
  let best = { d: Infinity, pair: '' };
  for (let i = 0; i < colours.length; i++)
    for (let j = i + 1; j < colours.length; j++) {
      const [a, b] = [lab(colours[i], m), lab(colours[j], m)];
      const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      if (d < best.d) best = { d, pair: `${colours[i]} ${colours[j]}` };
    }
  return best;
}

describe('palette', () => {
  test('at most 8 colours, each pair at least 15 CIELAB units apart under every simulated deficiency', () => {
    expect(PALETTE.length).toBe(MAX_COLOURS);
    expect(MAX_COLOURS).toBeLessThanOrEqual(8);
    for (const [name, m] of Object.entries(SIM)) {
      const { d, pair } = closestPair(PALETTE, m);
      expect(d, `${name}: ${pair}`).toBeGreaterThanOrEqual(15);
    }
  });

  test('the check tells a palette that is not distinct (tableau10 under deuteranopia)', () => {
    const tableau10 = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7'];
    expect(closestPair(tableau10, SIM.deuteranopia).d).toBeLessThan(5);
  });

  test('runs past 8 repeat the colours with filled markers; a run keeps its colour by its place', () => {
    expect(runStyle(0)).toEqual({ colour: PALETTE[0], marker: 'circle-stroke', symbol: 'circle', filled: false });
    expect(runStyle(8)).toEqual({ colour: PALETTE[0], marker: 'circle-fill', symbol: 'square', filled: true });
    expect(runStyle(17).colour).toBe(PALETTE[1]);
    expect(colourOf('b', ['a', 'b'])).toBe(PALETTE[1]);
    expect(colourOf('new', ['a', 'b'])).toBe(PALETTE[2]);
  });

  test('colour is never the only cue: a marker shape per run, no two of the first 56 alike in colour and shape', () => {
    const styles = Array.from({ length: 56 }, (_, i) => runStyle(i));
    expect(new Set(styles.map((s) => `${s.colour} ${s.symbol}`)).size).toBe(56);
    // Neighbours in the run list differ by shape as well as colour; all seven shapes are used by the first seven runs.
    for (let i = 1; i < 56; i++) expect(styles[i].symbol).not.toBe(styles[i - 1].symbol);
    expect(new Set(styles.slice(0, 7).map((s) => s.symbol)).size).toBe(RUN_SYMBOLS.length);
    // A legend draws each shape as its own outline, centred where asked.
    const paths = RUN_SYMBOLS.map((s) => symbolPath(s, 3.5, 10, 5));
    expect(new Set(paths).size).toBe(RUN_SYMBOLS.length);
    for (const d of paths) {
      const xs = [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      expect(xs.every(([x, y]) => Math.abs(x - 10) <= 6 && Math.abs(y - 5) <= 6)).toBe(true);
    }
  });

  test('variants: a distinct dash pattern each, up to six', () => {
    expect(new Set(VARIANT_DASHES).size).toBe(VARIANT_DASHES.length);
    expect(variantDash(0)).not.toBe(variantDash(1));
    expect(variantDash(VARIANT_DASHES.length)).toBe(variantDash(0));
  });
});
