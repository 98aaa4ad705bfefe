// Element-wise comparison of a float32 result against a float64 reference,
// with a report of the first mismatches (used by every kernel test).

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface Comparison {
  ok: boolean;
  maxAbs: number;
  maxRel: number;
  report: string;
}

export function compare(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance): Comparison {
  const lines: string[] = [];
  let maxAbs = 0;
  let maxRel = 0;
  let bad = 0;
  if (got.length !== want.length) {
    return {
      ok: false,
      maxAbs: Infinity,
      maxRel: Infinity,
      report: `${name}: length ${got.length} != reference ${want.length}`,
    };
  }
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const abs = Math.abs(g - w);
    const rel = abs / Math.max(Math.abs(w), 1e-30);
    if (Number.isFinite(abs)) {
      maxAbs = Math.max(maxAbs, abs);
      if (Math.abs(w) > tol.atol) maxRel = Math.max(maxRel, rel);
    }
    if (!(abs <= tol.atol + tol.rtol * Math.abs(w))) {
      bad++;
      if (lines.length < 8) lines.push(`  [${i}] got ${g} want ${w} (abs ${abs.toExponential(2)})`);
    }
  }
  const head =
    `${name}: ${bad}/${want.length} outside rtol ${tol.rtol} atol ${tol.atol}; max abs ${maxAbs.toExponential(2)}, ` +
    `max rel ${maxRel.toExponential(2)}`;
  return { ok: bad === 0, maxAbs, maxRel, report: bad ? `${head}\n${lines.join('\n')}` : head };
}

/** Throws with the mismatch report when `got` is not within tolerance of `want`. */
export function assertClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance): Comparison {
  const c = compare(name, got, want, tol);
  if (!c.ok) throw new Error(c.report);
  return c;
}
