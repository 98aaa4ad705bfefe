// What the lab remembers besides its runs (persist.ts): large text, and the
// compare view's pasted links and assignment, so a projector session and a
// teacher's collected links survive a reload. localStorage: a few kilobytes
// written on change; a browser without it (private mode) just forgets.
import type { LabInit, LabState } from './store';

const KEY = 'attention-lab/prefs';

export type Prefs = Required<Pick<LabInit, 'largeText' | 'compareText' | 'assignment'>>;

/** The part of the state remembered. */
export const prefsOf = (s: LabState): Prefs => ({
  largeText: s.largeText,
  compareText: s.compareText,
  assignment: s.assignment,
});

/** The remembered prefs; anything missing, unreadable or of the wrong type is left out. */
export function loadPrefs(storage: Pick<Storage, 'getItem'> | null): Partial<Prefs> {
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(KEY) ?? '{}');
  } catch {
    return {};
  }
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const out: Partial<Prefs> = {};
  if (typeof r.largeText === 'boolean') out.largeText = r.largeText;
  if (typeof r.compareText === 'string') out.compareText = r.compareText.slice(0, 2_000_000);
  if (typeof r.assignment === 'string') out.assignment = r.assignment.slice(0, 100_000);
  return out;
}

export function savePrefs(storage: Pick<Storage, 'setItem'> | null, p: Prefs): void {
  try {
    storage?.setItem(KEY, JSON.stringify(p));
  } catch {
    /* full or disabled: the lab works without */
  }
}

/** The page's localStorage, or null where reading it throws (sandboxed frames, some private modes). */
export function pageStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
