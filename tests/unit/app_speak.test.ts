// The lab's sampling channel (app/speak.ts): one request in flight at a time,
// answers and errors routed to the request of their run, other events left
// for the store, and which runs can speak.
import { describe, expect, test } from 'vitest';
import { SpeakChannel, speakingRuns } from '../../app/speak';
import type { RunRecord } from '../../app/store';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import type { Command, Event } from '../../src/host/protocol';
import { DEFAULT_SAMPLE } from '../../src/sample/request';
import { fakeDoc } from './app_fixture';

const passage = (runId: string): Event => ({
  type: 'passage',
  runId,
  result: { request: { factor: 1 }, trainLength: 1, chars: ['a', 'b'], losses: [0.5], top: [[{ char: 'b', p: 0.6 }]] },
});

describe('SpeakChannel', () => {
  test('requests go one at a time; each answer and error reaches its own request', async () => {
    const sent: Command[] = [];
    const ch = new SpeakChannel((c) => (sent.push(c), null));
    const a = ch.ask({ type: 'sample', runId: 'r1', request: DEFAULT_SAMPLE });
    const b = ch.ask({ type: 'passage', runId: 'r2', request: { factor: 4 } });
    await Promise.resolve();
    expect(sent.map((c) => ('runId' in c ? c.runId : null))).toEqual(['r1']);
    // An event of another run (a run still training) is the store's, not an answer.
    expect(ch.receive({ type: 'error', runId: 'r9', kind: 'config', message: 'other' })).toBe(false);
    expect(ch.receive({ type: 'error', runId: 'r1', kind: 'config', message: 'no weights kept' })).toBe(true);
    expect(await a).toEqual({ type: 'error', message: 'no weights kept' });
    await Promise.resolve();
    expect(sent.map((c) => ('runId' in c ? c.runId : null))).toEqual(['r1', 'r2']);
    expect(ch.receive(passage('r2'))).toBe(true);
    expect((await b).type).toBe('passage');
    // Nothing in flight: an answer is not taken.
    expect(ch.receive(passage('r2'))).toBe(false);
  });

  test('without an engine each request is answered with the reason, and the next still goes', async () => {
    const ch = new SpeakChannel(() => 'WebGPU is not available');
    expect(await ch.ask({ type: 'passage', runId: 'r1', request: { factor: 1 } })).toEqual({
      type: 'error',
      message: 'WebGPU is not available',
    });
    expect((await ch.ask({ type: 'passage', runId: 'r2', request: { factor: 1 } })).type).toBe('error');
  });
});

describe('speakingRuns', () => {
  const run = (id: string, status: RunRecord['status'], over: Partial<RunRecord> = {}): RunRecord => ({
    id,
    label: id,
    experimentLabel: 'exp',
    config: DEFAULT_RUN,
    status,
    source: status === 'shared' ? 'link' : 'local',
    progress: null,
    curve: [],
    doc: status === 'done' || status === 'shared' ? fakeDoc(id) : null,
    maps: [],
    error: null,
    createdAt: 1,
    checks: null,
    ...over,
  });

  test("this lab's finished text runs of the latest experiment; shared ones named with why they cannot", () => {
    const task = structuredClone(DEFAULT_RUN);
    task.data.source = 'task';
    const runs = [
      run('old', 'done', { experimentLabel: 'before', createdAt: 0 }),
      run('a', 'done'),
      run('b', 'done'),
      run('s', 'shared', { config: null }),
      run('q', 'queued'),
      run('failed', 'error'),
      run('task', 'done', { config: task }),
    ];
    const { ready, notKept } = speakingRuns(runs);
    expect(ready.map((r) => r.id)).toEqual(['a', 'b']);
    expect(notKept.map((n) => [n.run.id, n.why])).toEqual([
      ['s', expect.stringMatching(/^shared results carry no weights/)],
    ]);
    // The latest experiment is the one shown: its runs only.
    expect(speakingRuns([...runs, run('new', 'done', { experimentLabel: 'after', createdAt: 5 })]).ready).toHaveLength(
      1,
    );
    expect(speakingRuns([])).toEqual({ ready: [], notKept: [] });
  });
});
