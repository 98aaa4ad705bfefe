// The run host's weight archive in IndexedDB (src/host/weight_archive.ts):
// finished runs' weights survive a reload, so a run can still continue text
// after one. Two object stores: a small index (run id, when, how many bytes)
// read whole to decide what to drop, and the weights themselves, read one at
// a time. A browser without IndexedDB (or with storage refused) keeps none.
import { openDB } from 'idb';
import {
  type ArchivedRun,
  type ArchiveEntry,
  archivedBytes,
  archiveEvictions,
  type WeightArchive,
} from '../../src/host/weight_archive';

const DB = 'attention-lab-weights';
const INDEX = 'index';
const WEIGHTS = 'weights';

export async function openWeightArchive(maxBytes: number): Promise<WeightArchive | null> {
  if (typeof indexedDB === 'undefined' || maxBytes <= 0) return null;
  try {
    const db = await openDB(DB, 1, {
      upgrade(d) {
        d.createObjectStore(INDEX, { keyPath: 'runId' });
        d.createObjectStore(WEIGHTS);
      },
    });
    return {
      async put(runId, a) {
        const tx = db.transaction([INDEX, WEIGHTS], 'readwrite');
        const entry: ArchiveEntry = { runId, savedAt: Date.now(), bytes: archivedBytes(a) };
        await tx.objectStore(WEIGHTS).put(a, runId);
        await tx.objectStore(INDEX).put(entry);
        const entries = (await tx.objectStore(INDEX).getAll()) as ArchiveEntry[];
        for (const id of archiveEvictions(entries, maxBytes)) {
          await tx.objectStore(INDEX).delete(id);
          await tx.objectStore(WEIGHTS).delete(id);
        }
        await tx.done;
      },
      get: async (runId) => (await db.get(WEIGHTS, runId)) as ArchivedRun | undefined,
    };
  } catch {
    return null;
  }
}
