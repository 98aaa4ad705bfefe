// Storage full (issue 15): when IndexedDB refuses a write with a
// QuotaExceededError, the lab says so in one line (once), the runs already
// stored stay as they were, the new results stay in the page and export, and
// the records that could not be written are written once a removal frees space.
// The store and the writer are wired as the controller (app/lab.ts) wires them.
import { describe, expect, test } from 'vitest';
import { resultsJson } from '../../app/export';
import { memoryStorage } from '../../app/persist';
import { runWriter, STORAGE_FULL } from '../../app/run_writer';
import { createLabStore, finishedDocs } from '../../app/store';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import { fakeDoc } from './app_fixture';

/** memoryStorage whose writes throw as a full IndexedDB does while `full` is set. */
function fillableStorage() {
  const mem = memoryStorage();
  const state = { full: false };
  return {
    ...mem,
    state,
    put: async (r: Parameters<typeof mem.put>[0]) => {
      if (state.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return mem.put(r);
    },
  };
}

/** Lets the writes the store's changes started settle (memory storage answers at once). */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('storage full', () => {
  test('one clear line, nothing stored lost, results still exportable, written again once space is freed', async () => {
    const storage = fillableStorage();
    const store = createLabStore();
    const s = () => store.getState();
    const writer = runWriter(store, storage);
    store.subscribe((n, p) => {
      if (n.runs !== p.runs) void writer.write(p.runs, n.runs);
    });
    const finish = (label: string) => {
      const [id] = s().enqueue([{ ...DEFAULT_RUN, label }], 'storage test');
      s().markStarting(id);
      s().applyEvent({ type: 'results', runId: id, doc: fakeDoc(label), maps: [] });
      return id;
    };

    const first = finish('first');
    await settle();
    expect(storage.data.get(first)?.status).toBe('done');
    const storedFirst = structuredClone(storage.data.get(first));

    storage.state.full = true;
    const second = finish('second');
    const third = finish('third');
    await settle();
    // One banner, one line, for the whole spell of failed writes.
    const errors = s().banners.filter((b) => b.kind === 'error');
    expect(errors.map((b) => b.title)).toEqual([STORAGE_FULL]);
    expect(STORAGE_FULL).not.toContain('\n');
    // What was stored is as it was; the new runs are in the page only, and export with the first.
    expect(storage.data.get(first)).toEqual(storedFirst);
    expect(storage.data.has(second)).toBe(false);
    expect([...writer.unsaved].sort()).toEqual([second, third].sort());
    const exported = JSON.parse(resultsJson(finishedDocs(s().runs))) as { label: string }[];
    expect(exported.map((d) => d.label)).toEqual(['first', 'second', 'third']);

    // Space freed (a run removed): the unsaved records are written; the removed one is gone from storage too.
    storage.state.full = false;
    s().removeRun(third);
    await settle();
    expect(storage.data.get(second)?.status).toBe('done');
    expect(storage.data.get(second)?.doc?.label).toBe('second');
    expect(storage.data.has(third)).toBe(false);
    expect(writer.unsaved.size).toBe(0);

    // Full again later: said again, once.
    storage.state.full = true;
    finish('fourth');
    await settle();
    expect(s().banners.filter((b) => b.title === STORAGE_FULL)).toHaveLength(2);
  });

  test('another refusal is named in its one line', async () => {
    const storage = memoryStorage();
    storage.put = async () => {
      throw new DOMException('The transaction was aborted.', 'AbortError');
    };
    const store = createLabStore();
    const writer = runWriter(store, storage);
    store.getState().enqueue([DEFAULT_RUN], 'x');
    await writer.write([], store.getState().runs);
    expect(store.getState().banners.map((b) => b.title)).toEqual([
      'Runs could not be saved in this browser: The transaction was aborted.',
    ]);
  });
});
