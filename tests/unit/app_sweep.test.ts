// The lab's classroom sweep without a GPU: a seat's queued runs carry their
// sweep tags into their results documents; a seat's results link reads back
// as sweep documents (not relabelled) from a #fragment link; and the
// classroom merge of seats' links equals the whole sweep.
import { describe, expect, test } from 'vitest';
import { readStudentLink } from '../../app/export';
import { createLabStore } from '../../app/store';
import { parseResults } from '../../src/eval/results';
import { PRESETS, presetExperiment } from '../../src/experiment/presets';
import { linkJson, linkWithResults } from '../../src/experiment/results_link';
import { makeSweep, mergeSweep, shardPairs, withoutTimings } from '../../src/experiment/sweep';
import { fakeDoc } from './app_fixture';

const experiment = () => presetExperiment(PRESETS.find((p) => p.id === 'extrapolation')!);
const link = { seeds: [1, 2], seats: 3, seat: null };

/** What the lab does for a seat: queue its runs with their tags, then finish each with a (fake) document. */
function runSeat(seat: number | 'all') {
  const sweep = makeSweep(experiment(), link.seeds);
  const pairs = shardPairs(sweep, seat === 'all' ? [1, 1] : [seat, link.seats], null);
  const store = createLabStore({ experiment: experiment(), sweep: { ...link } });
  const ids = store.getState().enqueue(
    pairs.map((p) => p.pair.config),
    'x',
    undefined,
    pairs.map((p) => p.tag),
  );
  for (const [i, id] of ids.entries()) {
    store.getState().markStarting(id);
    const c = pairs[i].pair.config;
    const doc = fakeDoc(c.label, { seed: c.seed, base: 3 + pairs[i].pair.run });
    store.getState().applyEvent({ type: 'results', runId: id, doc, maps: [] });
  }
  return store.getState().runs.map((r) => parseResults(r.doc));
}

describe('classroom sweep in the lab', () => {
  test("a seat's runs finish with their sweep tags; the seats merge into the whole sweep", () => {
    const seats = [1, 2, 3].map((k) => runSeat(k));
    expect(seats.map((docs) => docs.length)).toEqual([2, 2, 2]);
    for (const [k, docs] of seats.entries()) for (const d of docs) expect(d.sweep!.shard).toEqual([k + 1, 3]);
    const merged = mergeSweep(seats.map((docs, k) => ({ source: `link ${k + 1}`, docs })))!;
    expect(merged.missing).toEqual([]);
    expect(merged.docs.map(withoutTimings)).toEqual(runSeat('all').map(withoutTimings));
    // Two seats in: the third is missing, by seat, with no command line (a seat runs in a browser).
    const part = mergeSweep(seats.slice(0, 2).map((docs, k) => ({ source: `link ${k + 1}`, docs })))!;
    expect(part.missing.map((m) => [m.shard, m.command])).toEqual([[[3, 3], null]]);
  });

  test("a seat's results link (in the #fragment) reads back as its sweep's documents, not relabelled", async () => {
    const docs = runSeat(2);
    const q = await linkWithResults({ ...experiment(), label: 'Ada' }, null, docs, { ...link, seat: 2 });
    expect(q.get('seat')).toBe('2');
    const got = await readStudentLink(`http://127.0.0.1:4317/lab/#${q.toString()}`, 1);
    expect(got.sweep).toEqual(JSON.parse(linkJson(docs))); // as the link carries them: LINK_DIGITS digits
    expect(got.docs[0].label).toBe('Ada: softmax');
    // Links without sweep tags are students' runs, overlaid as before.
    const plain = await linkWithResults(experiment(), null, [fakeDoc('softmax')]);
    expect((await readStudentLink(`http://x/#${plain.toString()}`, 1)).sweep).toBeNull();
  });
});
