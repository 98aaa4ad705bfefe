// Writes the store's run records to storage as they change (persist.ts's
// syncRuns), and says so in one line when it cannot: a full disk
// (QuotaExceededError) or any other refusal. A write that fails changes
// nothing stored (IndexedDB keeps a record's last saved version), the
// results stay in the page (exportable as files or a link), and the records
// that could not be written are written again once a run is removed (space
// freed) or when they change.
import { type RunStorage, syncRuns } from './persist';
import type { LabStore, RunRecord } from './store';

export const STORAGE_FULL = "This browser's storage is full: new results are kept in this page only, not saved";

const STORAGE_FULL_HELP =
  'Save them as files (Results files) or as a link with results before closing the page; removing runs you no ' +
  'longer need frees space. Results saved before are kept.';

export interface RunWriter {
  /** Writes what changed from `prev` to `next` (and retries unsaved records); never rejects. */
  write(prev: readonly RunRecord[], next: readonly RunRecord[]): Promise<void>;
  /** Ids of records whose last write failed (kept in the page only). */
  readonly unsaved: ReadonlySet<string>;
}

export function runWriter(store: LabStore, storage: RunStorage): RunWriter {
  const unsaved = new Set<string>();
  // One banner per spell of failures: said again only after a write has succeeded since.
  let told = false;
  const failed = (id: string | null, e: unknown) => {
    if (id !== null) unsaved.add(id);
    if (told) return;
    told = true;
    const full = e instanceof Error && e.name === 'QuotaExceededError';
    store.getState().pushBanner({
      kind: 'error',
      title: full ? STORAGE_FULL : `Runs could not be saved in this browser: ${e instanceof Error ? e.message : e}`,
      lines: [STORAGE_FULL_HELP],
    });
  };
  const tracked: RunStorage = {
    loadAll: () => storage.loadAll(),
    put: (r) =>
      storage.put(r).then(
        () => {
          unsaved.delete(r.id);
          told &&= unsaved.size > 0;
        },
        (e) => failed(r.id, e),
      ),
    remove: (id) =>
      storage.remove(id).then(
        () => void unsaved.delete(id),
        (e) => failed(null, e),
      ),
  };
  return {
    unsaved,
    async write(prev, next) {
      const ids = new Set(next.map((r) => r.id));
      const freed = prev.some((r) => !ids.has(r.id));
      await syncRuns(tracked, prev, next, freed ? unsaved : undefined);
    },
  };
}
