// The worker protocol: well-formed commands and events pass, anything else
// (wrong types, missing run ids, foreign messages) is refused; error kinds
// are carried by the thrown errors.
import { describe, expect, test } from 'vitest';
import { AttentionArgsError } from '../../src/attention/run';
import { ConfigError } from '../../src/config';
import { DataError } from '../../src/data/corpus';
import { DeviceLostError, NonFiniteError, ResourceLimitError } from '../../src/errors';
import { EvalLimitError } from '../../src/eval/chunk';
import { ResultsError } from '../../src/eval/results';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import { type Command, type Event, errorKind, isCommand, isEvent } from '../../src/host/protocol';
import { checkPassageRequest, checkSampleRequest, DEFAULT_SAMPLE, sampleContext } from '../../src/sample/request';
import { fakeDoc } from './app_fixture';

describe('worker protocol', () => {
  test('every command kind is recognised, with its run id', () => {
    const ok: Command[] = [
      { type: 'hello' },
      { type: 'start', runId: 'r1', run: DEFAULT_RUN },
      { type: 'start', runId: 'r1', run: DEFAULT_RUN, userText: 'abc' },
      { type: 'pause', runId: 'r1' },
      { type: 'resume', runId: 'r1' },
      { type: 'stop', runId: 'r1' },
      { type: 'sample', runId: 'r1', request: DEFAULT_SAMPLE },
      { type: 'passage', runId: 'r1', request: { factor: 16 } },
    ];
    for (const c of ok) expect(isCommand(structuredClone(c))).toBe(true);
  });

  test('malformed commands are refused', () => {
    const bad: unknown[] = [
      null,
      3,
      'start',
      [],
      {},
      { type: 'start' },
      { type: 'start', runId: '', run: {} },
      { type: 'start', runId: 'r', run: null },
      { type: 'pause' },
      { type: 'stop', runId: 7 },
      { type: 'eval', runId: 'r' },
      { type: 'start', runId: 'r', run: {}, userText: 5 },
      { type: 'stop', runId: 'x'.repeat(101) },
      { type: 'sample', runId: 'r1' },
      { type: 'sample', runId: '', request: DEFAULT_SAMPLE },
      { type: 'passage', runId: 'r1' },
      { type: 'passage', runId: 'r1', request: 4 },
    ];
    for (const c of bad) expect(isCommand(c)).toBe(false);
  });

  test("a sample request's context: slide or grow; absent (an older request) decodes as slide", () => {
    const { context: _, ...old } = DEFAULT_SAMPLE;
    for (const request of [old, DEFAULT_SAMPLE, { ...DEFAULT_SAMPLE, context: 'grow' }])
      expect(isCommand({ type: 'sample', runId: 'r1', request })).toBe(true);
    expect(sampleContext(old as { context?: 'slide' })).toBe('slide');
    expect(sampleContext({ context: 'grow' as const })).toBe('grow');
    for (const context of ['sliding', 'GROW', '', 1, null])
      expect(isCommand({ type: 'sample', runId: 'r1', request: { ...DEFAULT_SAMPLE, context } }), String(context)).toBe(
        false,
      );
    // The request's own check, which the host runs before sampling, says what it takes, in one line.
    expect(() => checkSampleRequest({ ...DEFAULT_SAMPLE, context: 'sliding' as 'slide' })).toThrow(
      /^the sampling context is slide or grow, got sliding$/,
    );
    expect(() => checkSampleRequest(old)).not.toThrow();
  });

  test('every event kind is recognised; events without a valid run id are not', () => {
    const ok: Event[] = [
      {
        type: 'ready',
        gpu: true,
        adapter: {
          vendor: 'v',
          architecture: 'a',
          description: 'd',
          limits: { maxStorageBufferBindingSize: 1, maxBufferSize: 1, maxComputeWorkgroupStorageSize: 1 },
        },
      },
      { type: 'ready', gpu: false, reason: 'no' },
      { type: 'progress', runId: 'r', phase: 'train', step: 1, steps: 2, loss: 3, tokensPerSecond: 4, etaSeconds: 5 },
      { type: 'metrics', runId: 'r', step: 1, loss: 3, lr: 1e-3, tokensPerSecond: 9 },
      { type: 'liveEval', runId: 'r', step: 25, points: [{ factor: 1, length: 64, loss: 2.5 }] },
      { type: 'results', runId: 'r', doc: fakeDoc('a'), maps: [] },
      { type: 'paused', runId: 'r', paused: true },
      { type: 'stopped', runId: 'r', step: 4 },
      { type: 'samples', runId: 'r', result: { request: DEFAULT_SAMPLE, trainLength: 8, blocks: [], unknownChars: 0 } },
      {
        type: 'passage',
        runId: 'r',
        result: {
          request: { factor: 1 },
          trainLength: 2,
          chars: ['a', 'b'],
          losses: [1],
          top: [[{ char: 'b', p: 1 }]],
        },
      },
      { type: 'error', runId: 'r', kind: 'limits', message: 'too big' },
      { type: 'error', runId: null, kind: 'internal', message: 'huh' },
    ];
    for (const e of ok) expect(isEvent(structuredClone(e))).toBe(true);
    const bad: unknown[] = [
      { type: 'progress', step: 1 },
      { type: 'results', runId: 'r', doc: 'x', maps: [] },
      { type: 'error', runId: 'r', kind: 'weird', message: 'x' },
      { type: 'paused', runId: 'r' },
      { type: 'ready', gpu: 'yes' },
      { type: 'metrics', runId: 3, step: 1, loss: 1, lr: 1 },
      { type: 'samples', runId: 'r', result: { blocks: 'x' } },
      { type: 'passage', runId: 'r', result: { chars: [], losses: 'x', top: [] } },
      { type: 'passage', runId: 'r' },
      { type: 'liveEval', step: 25, points: [] },
      { type: 'liveEval', runId: 'r', step: 25, points: 'x' },
      { type: 'liveEval', runId: 'r', step: 25, points: [{ factor: 1, length: 64 }] },
    ];
    for (const e of bad) expect(isEvent(e)).toBe(false);
  });

  test('error kinds follow the engine error classes', () => {
    expect(errorKind(new ConfigError('x'))).toBe('config');
    expect(errorKind(new DataError('x'))).toBe('data');
    expect(errorKind(new ResourceLimitError('x', 'maxBufferSize', 2, 1, 0, 0))).toBe('limits');
    expect(errorKind(new NonFiniteError(3, 'loss', 'loss', 0, 5, null))).toBe('diverged');
    expect(errorKind(new DeviceLostError(3, null, 'gone'))).toBe('device-lost');
    expect(errorKind(new Error('x'))).toBe('internal');
    expect(errorKind('a string')).toBe('internal');
  });

  test('every typed error carries its kind, even those that arrived as internal when kinds came from names', () => {
    // A window longer than the device can bind, at evaluation: a limit, not a bug.
    expect(errorKind(new EvalLimitError('x'))).toBe('limits');
    // A results document (file, link, stored run) that does not read: data.
    expect(errorKind(new ResultsError('x'))).toBe('data');
    // runAttention's arguments: a configuration problem.
    expect(errorKind(new AttentionArgsError('x'))).toBe('config');
    // A subclass keeps its parent's kind unless it names its own.
    class TinyCorpusError extends DataError {}
    expect(errorKind(new TinyCorpusError('x'))).toBe('data');
    // The kind is read from the error, not from its name.
    expect(errorKind(Object.assign(new Error('x'), { name: 'ConfigError' }))).toBe('internal');
    expect(errorKind(Object.assign(new Error('x'), { kind: 'nonsense' }))).toBe('internal');
  });
});

describe('LabCore (the worker side) without a GPU', () => {
  test('hello answers gpu: false and why; a bad start is refused with the config error and its run id', async () => {
    const { LabCore } = await import('../../src/host/core');
    const events: Event[] = [];
    const core = new LabCore((e) => events.push(e));
    await core.handle({ type: 'hello' });
    expect(events[0]).toMatchObject({ type: 'ready', gpu: false });
    expect((events[0] as { reason: string }).reason).toMatch(/WebGPU/);
    const bad = structuredClone(DEFAULT_RUN) as unknown as Record<string, unknown>;
    (bad.train as Record<string, unknown>).seqLen = -3;
    await core.handle({ type: 'start', runId: 'r9', run: bad as never });
    expect(events[1]).toMatchObject({ type: 'error', runId: 'r9', kind: 'config' });
    expect((events[1] as { message: string }).message).toMatch(/seqLen/);
    // Commands for a run that is not running are ignored, not thrown.
    await core.handle({ type: 'pause', runId: 'nope' });
    await core.handle({ type: 'stop', runId: 'nope' });
    expect(events).toHaveLength(2);
  });

  test('check refuses what a start would, as one error event with its kind, or answers checked', async () => {
    const { LabCore } = await import('../../src/host/core');
    const events: Event[] = [];
    const core = new LabCore((e) => events.push(e));
    const bad = structuredClone(DEFAULT_RUN) as unknown as Record<string, unknown>;
    (bad.train as Record<string, unknown>).seqLen = -3;
    await core.handle({ type: 'check', runId: 'c1', run: bad as never });
    const text = structuredClone(DEFAULT_RUN);
    text.data.source = 'text';
    await core.handle({ type: 'check', runId: 'c2', run: text });
    expect(events.map((e) => e.type === 'error' && [e.runId, e.kind])).toEqual([
      ['c1', 'config'],
      ['c2', 'data'],
    ]);
    expect((events[1] as { message: string }).message).toMatch(/none was given/);
    expect(isCommand({ type: 'check', runId: 'c', run: DEFAULT_RUN })).toBe(true);
    expect(isEvent({ type: 'checked', runId: 'c' })).toBe(true);
    expect(isEvent({ type: 'checked' })).toBe(false);
  });

  test('sampling a run whose weights are not kept is refused as a config error naming the run', async () => {
    const { LabCore } = await import('../../src/host/core');
    const events: Event[] = [];
    const core = new LabCore((e) => events.push(e));
    await core.handle({ type: 'sample', runId: 'r4', request: DEFAULT_SAMPLE });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', runId: 'r4', kind: 'config' });
    expect((events[0] as { message: string }).message).toMatch(/no weights kept for run 'r4'/);
  });

  test('reading a passage with a run whose weights are not kept is refused the same way', async () => {
    const { LabCore } = await import('../../src/host/core');
    const events: Event[] = [];
    const core = new LabCore((e) => events.push(e));
    await core.handle({ type: 'passage', runId: 'r5', request: { factor: 4 } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', runId: 'r5', kind: 'config' });
    expect((events[0] as { message: string }).message).toMatch(/no weights kept for run 'r5'/);
  });
});

describe('passage requests', () => {
  test('1 to 16 whole multiples of T, and own text of at least two characters', () => {
    for (const ok of [{ factor: 1 }, { factor: 16 }, { factor: 4, text: 'ab' }])
      expect(() => checkPassageRequest(ok)).not.toThrow();
    expect(() => checkPassageRequest({ factor: 0 })).toThrow(/1 to 16 whole multiples of T, got 0/);
    expect(() => checkPassageRequest({ factor: 17 })).toThrow(/got 17/);
    expect(() => checkPassageRequest({ factor: 1.5 })).toThrow(/got 1.5/);
    expect(() => checkPassageRequest({ factor: 2, text: 'a' })).toThrow(/at least two characters/);
    expect(() => checkPassageRequest({ factor: 2, text: 7 as never })).toThrow(/at least two characters/);
  });
});
