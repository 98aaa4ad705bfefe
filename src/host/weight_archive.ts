// Finished runs' weights kept across a reload: the run host writes each
// finished text run's weights to an archive (the lab's worker: IndexedDB,
// app/worker/weight_archive.ts) and reads them back when a run it no longer
// holds in memory is asked to speak. Bounded by bytes like the memory copy
// (src/host/kept_weights.ts): the oldest runs' weights are dropped first.
import type { RunConfig } from '../experiment/run_config';

export interface ArchivedRun {
  run: RunConfig;
  /** The user's text the run trained on (its data), for a run on 'text'. */
  userText?: string;
  params: Float32Array;
}

export interface WeightArchive {
  put(runId: string, a: ArchivedRun): Promise<void>;
  get(runId: string): Promise<ArchivedRun | undefined>;
}

export interface ArchiveEntry {
  runId: string;
  savedAt: number;
  bytes: number;
}

/** What a run takes in the archive: its weights and its text (two bytes a UTF-16 unit). */
export const archivedBytes = (a: ArchivedRun): number => a.params.byteLength + 2 * (a.userText?.length ?? 0);

/** The entries to drop so the rest fit `maxBytes`: the oldest first (one larger than the bound is dropped too). */
export function archiveEvictions(entries: readonly ArchiveEntry[], maxBytes: number): string[] {
  const byAge = [...entries].sort((a, b) => a.savedAt - b.savedAt || (a.runId < b.runId ? -1 : 1));
  let total = byAge.reduce((n, e) => n + e.bytes, 0);
  const drop: string[] = [];
  for (const e of byAge) {
    if (total <= maxBytes) break;
    drop.push(e.runId);
    total -= e.bytes;
  }
  return drop;
}

/** An archive in memory, with the same bound (tests; a page without IndexedDB keeps none). */
export function memoryArchive(maxBytes: number): WeightArchive & { ids(): string[] } {
  const runs = new Map<string, { a: ArchivedRun; entry: ArchiveEntry }>();
  let clock = 0;
  return {
    async put(runId, a) {
      runs.set(runId, { a: structuredClone(a), entry: { runId, savedAt: ++clock, bytes: archivedBytes(a) } });
      for (const id of archiveEvictions(
        [...runs.values()].map((r) => r.entry),
        maxBytes,
      ))
        runs.delete(id);
    },
    async get(runId) {
      const r = runs.get(runId);
      return r && structuredClone(r.a);
    },
    ids: () => [...runs.keys()],
  };
}
