// IndexedDB persistence of the run records (queue, finished runs, their
// results and heatmaps), so nothing is lost on a reload. One object store,
// keyed by run id; the controller writes a record whenever it changes state.
import { type IDBPDatabase, openDB } from 'idb';
import type { RunRecord } from './store';

export interface RunStorage {
  loadAll(): Promise<RunRecord[]>;
  put(r: RunRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

const DB = 'attention-lab';
const STORE = 'runs';

export async function openRunStorage(): Promise<RunStorage | null> {
  if (typeof indexedDB === 'undefined') return null;
  let db: IDBPDatabase;
  try {
    db = await openDB(DB, 1, {
      upgrade(d) {
        if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: 'id' });
      },
    });
  } catch {
    return null; // private mode or storage disabled: the lab still works, without persistence
  }
  return {
    loadAll: async () => (await db.getAll(STORE)) as RunRecord[],
    put: async (r) => void (await db.put(STORE, r)),
    remove: async (id) => void (await db.delete(STORE, id)),
  };
}

/** In-memory storage (Node tests). */
export function memoryStorage(): RunStorage & { data: Map<string, RunRecord> } {
  const data = new Map<string, RunRecord>();
  return {
    data,
    loadAll: async () => [...data.values()].map((r) => structuredClone(r)),
    put: async (r) => void data.set(r.id, structuredClone(r)),
    remove: async (id) => void data.delete(id),
  };
}

/** Whether a record changed in a way worth writing (status, curve, results; not every progress tick). */
export function worthSaving(prev: RunRecord | undefined, next: RunRecord): boolean {
  if (!prev) return true;
  if (
    prev.status !== next.status ||
    prev.doc !== next.doc ||
    prev.curve.length !== next.curve.length ||
    prev.error !== next.error
  )
    return true;
  // Progress: save every tenth of the run, so an interrupted run shows roughly where it stopped.
  const a = prev.progress,
    b = next.progress;
  if (!a || !b?.steps) return a !== b;
  return Math.floor((10 * b.step) / b.steps) !== Math.floor((10 * a.step) / a.steps);
}

/** Writes changed records (and those in `retry`) and deletes removed ones, given the previous and next run lists. */
export function syncRuns(
  storage: RunStorage,
  prev: readonly RunRecord[],
  next: readonly RunRecord[],
  retry?: ReadonlySet<string>,
): Promise<unknown> {
  const before = new Map(prev.map((r) => [r.id, r]));
  const ops: Promise<void>[] = [];
  for (const r of next) {
    const p = before.get(r.id);
    if ((p !== r && worthSaving(p, r)) || retry?.has(r.id)) ops.push(storage.put(r));
    before.delete(r.id);
  }
  for (const id of before.keys()) ops.push(storage.remove(id));
  return Promise.all(ops);
}
