// Which presets' reference bands the page needs, and what each run is against them (issue 15), DOM-free for the
// unit tests: a preset is open when the experiment being built is it (its title, as loading a card or a share
// link sets it) or when a run in the lab was queued or shared as it. Only those presets' files are fetched
// (app/references.ts); a finished run is matched to a band by the config its results record.
import type { ResultsDoc } from '../src/eval/results';
import { PRESETS, type Preset, QUICK_DEMO } from '../src/experiment/presets';
import { matchReference, type Reference, type ReferenceMatch, type ReferenceRun } from '../src/report/reference';
import type { RunRecord } from './store';

/** The first screen's presets, whose reference bands the lab can fetch (when a file ships for them). */
const CARDS: readonly Preset[] = [QUICK_DEMO, ...PRESETS];

const presetTitled = (title: string) => CARDS.find((p) => p.title === title);

/** The ids of the presets open in the page: the experiment's first, then the runs' in queue order. */
export function openPresets(experimentLabel: string, runs: readonly Pick<RunRecord, 'experimentLabel'>[]): string[] {
  const ids = [experimentLabel, ...runs.map((r) => r.experimentLabel)]
    .map((t) => presetTitled(t)?.id)
    .filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

/** The references to search for a run of `experimentLabel`: its own preset's first (two presets may share a run). */
function ordered(refs: readonly Reference[], preset: string | null): Reference[] {
  return [...refs].sort((a, b) => Number(b.preset === preset) - Number(a.preset === preset));
}

/** A run's relation to the loaded references, or null for a run of no open preset (or not finished). */
export function recordMatch(r: RunRecord, refs: readonly Reference[]): ReferenceMatch | null {
  if (!r.doc || refs.length === 0) return null;
  const preset = presetTitled(r.experimentLabel)?.id ?? null;
  return matchReference(r.doc, ordered(refs, preset), preset, r.doc.label);
}

/** The band of each plotted series (by its name in the plot, as seriesOf names it), and the seeds they span. */
export function plotReference(
  series: readonly { name: string; docs: readonly ResultsDoc[] }[],
  refs: readonly Reference[],
): { runs: Map<string, ReferenceRun>; seeds: number; presets: string[] } {
  const runs = new Map<string, ReferenceRun>();
  const seeds = new Set<number>();
  const presets = new Set<string>();
  for (const s of series) {
    const m = s.docs[0] ? matchReference(s.docs[0], refs) : null;
    if (m?.kind !== 'match') continue;
    runs.set(s.name, m.run);
    presets.add(m.preset);
    for (const x of m.seeds) seeds.add(x);
  }
  return { runs, seeds: seeds.size, presets: [...presets] };
}
