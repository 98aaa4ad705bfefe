// The lab's sampling channel (app/speak.ts): one request in flight at a time,
// answers and errors routed to the request of their run, other events left
// for the store, and runs finished in this page remembered.
import { describe, expect, test } from 'vitest';
import { SpeakChannel } from '../../app/speak';
import type { Command, Event } from '../../src/host/protocol';
import { DEFAULT_SAMPLE } from '../../src/sample/request';

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

  test('runs whose results arrived in this page are remembered; the store still gets their results', () => {
    const ch = new SpeakChannel(() => null);
    expect(ch.finishedInThisPage('r3')).toBe(false);
    const results = { type: 'results', runId: 'r3', doc: {}, maps: [] } as unknown as Event;
    expect(ch.receive(results)).toBe(false);
    expect(ch.finishedInThisPage('r3')).toBe(true);
  });
});
