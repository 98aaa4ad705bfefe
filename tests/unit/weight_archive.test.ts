// Finished runs' weights kept across a reload (src/host/weight_archive.ts):
// the byte bound drops the oldest runs first, and the run host reads a run it
// no longer holds in memory back from its archive before refusing it.
import { describe, expect, test } from 'vitest';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import type { Event } from '../../src/host/protocol';
import { archivedBytes, archiveEvictions, memoryArchive } from '../../src/host/weight_archive';
import { DEFAULT_SAMPLE } from '../../src/sample/request';

const weights = (n: number) => ({ run: DEFAULT_RUN, params: new Float32Array(n) });

describe('the weight archive bound', () => {
  test('oldest first, until the rest fit; one larger than the bound is dropped too', () => {
    const e = (runId: string, savedAt: number, bytes: number) => ({ runId, savedAt, bytes });
    expect(archiveEvictions([e('a', 1, 40), e('b', 2, 40), e('c', 3, 40)], 100)).toEqual(['a']);
    expect(archiveEvictions([e('c', 3, 40), e('a', 1, 40), e('b', 2, 40)], 80)).toEqual(['a']);
    expect(archiveEvictions([e('a', 1, 40), e('b', 2, 40)], 80)).toEqual([]);
    expect(archiveEvictions([e('a', 1, 10), e('big', 2, 500)], 100)).toEqual(['a', 'big']);
  });

  test('a run takes its weights and its text', () => {
    expect(archivedBytes(weights(10))).toBe(40);
    expect(archivedBytes({ ...weights(10), userText: 'abc' })).toBe(46);
  });

  test('in memory: what was put comes back equal, within the bound', async () => {
    const a = memoryArchive(100);
    const w = weights(10);
    w.params[3] = 1.5;
    await a.put('r1', w);
    await a.put('r2', weights(10));
    await a.put('r3', weights(10));
    expect(a.ids()).toEqual(['r2', 'r3']);
    expect(await a.get('r1')).toBeUndefined();
    await a.put('r1', w);
    expect(a.ids()).toEqual(['r3', 'r1']);
    expect(Array.from((await a.get('r1'))!.params)).toEqual(Array.from(w.params));
  });
});

describe('LabCore with an archive', () => {
  test('a run held only in the archive is read back (its text loaded again), not refused for no weights', async () => {
    const { LabCore } = await import('../../src/host/core');
    const archive = memoryArchive(1 << 20);
    const run = structuredClone(DEFAULT_RUN);
    run.data.source = 'text';
    await archive.put('r7', { run, userText: 'the cat sat on the mat. '.repeat(400), params: new Float32Array(4) });
    const events: Event[] = [];
    const core = new LabCore((e) => events.push(e), { archive: Promise.resolve(archive) });
    await core.handle({ type: 'passage', runId: 'r7', request: { factor: 1 } });
    await core.handle({ type: 'sample', runId: 'r8', request: DEFAULT_SAMPLE });
    // Node has no WebGPU: r7 gets as far as needing the device; r8 was never archived.
    expect(events.map((e) => e.type === 'error' && [e.runId, e.message.slice(0, 40)])).toEqual([
      ['r7', expect.stringMatching(/WebGPU|navigator/)],
      ['r8', "no weights kept for run 'r8': only finis"],
    ]);
  });
});
