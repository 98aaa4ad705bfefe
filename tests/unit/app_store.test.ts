// The lab's store (no DOM, no GPU): config edits with validation and teacher
// locks, the queue's life cycle through worker events, stale events,
// re-runs, shared results, restore after a reload, and persistence sync.
import { describe, expect, test } from 'vitest';
import { memoryStorage, syncRuns, worthSaving } from '../../app/persist';
import { createLabStore, finishedDocs, type RunRecord } from '../../app/store';
import { PRESETS, presetExperiment } from '../../src/experiment/presets';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import { fakeDoc } from './app_fixture';

describe('config slice', () => {
  test('valid edits are stored, invalid ones are refused with a message and leave the config as it was', () => {
    const s = createLabStore();
    expect(s.getState().setBaseField('train.steps', 20)).toBe(true);
    expect(s.getState().experiment.base.train.steps).toBe(20);
    expect(s.getState().setBaseField('train.steps', -5)).toBe(false);
    expect(s.getState().experiment.base.train.steps).toBe(20);
    expect(s.getState().fieldErrors['train.steps']).toMatch(/Steps/);
    expect(s.getState().setBaseField('no.such.field', 1)).toBe(false);
    expect(s.getState().setBaseField('train.steps', 30)).toBe(true);
    expect(s.getState().fieldErrors['train.steps']).toBeUndefined();
  });

  test('teacher-locked fields cannot be changed through the store', () => {
    const s = createLabStore({ teacher: { locked: ['train.steps'], hidden: ['model.nEmbd'] } });
    expect(s.getState().isLocked('train.steps')).toBe(true);
    expect(s.getState().isHidden('model.nEmbd')).toBe(true);
    expect(s.getState().setBaseField('train.steps', 5)).toBe(false);
    expect(s.getState().setRunField(0, 'train.steps', 5)).toBe(false);
    expect(s.getState().experiment.base.train.steps).toBe(DEFAULT_RUN.train.steps);
    expect(s.getState().setBaseField('train.batchSize', 8)).toBe(true);
  });

  test('run overrides: set, clear, add and remove runs; resolved() validates the whole experiment', () => {
    const s = createLabStore();
    const st = () => s.getState();
    st().setRunField(0, 'model.mechanism', 'lssa');
    st().addExperimentRun();
    st().setRunField(1, 'model.mechanism', 'taylor');
    expect(st().experiment.runs.map((r) => r['model.mechanism'])).toEqual(['lssa', 'taylor']);
    st().setRunField(0, 'model.mechanism', undefined);
    expect(st().experiment.runs[0]['model.mechanism']).toBeUndefined();
    const r = st().resolved();
    expect(r.error).toBeNull();
    expect(r.runs?.map((x) => x.model.mechanism)).toEqual(['softmax', 'taylor']);
    expect(r.runs?.every((x) => x.label.length > 0)).toBe(true);
    st().removeExperimentRun(1);
    expect(st().experiment.runs).toHaveLength(1);
    st().removeExperimentRun(0); // the last run stays
    expect(st().experiment.runs).toHaveLength(1);
    st().setBaseField('model.nHead', 3); // 64 not divisible by 3
    expect(st().resolved().error).toMatch(/divisible/);
  });

  test('seeds per run repeat each config with consecutive seeds under one label, and collapse back', () => {
    const s = createLabStore({ experiment: presetExperiment(PRESETS[0]) });
    s.getState().setSeeds(3);
    const runs = s.getState().experiment.runs;
    expect(runs).toHaveLength(9);
    expect(runs.slice(0, 3).map((r) => r.label)).toEqual(['softmax', 'softmax', 'softmax']);
    expect(runs.slice(0, 3).map((r) => r.seed)).toEqual([undefined, DEFAULT_RUN.seed + 1, DEFAULT_RUN.seed + 2]);
    s.getState().setSeeds(1);
    expect(s.getState().experiment.runs.map((r) => r.label)).toEqual(['softmax', 'lssa', 'lssar (p = 15)']);
  });
});

describe('runs slice', () => {
  const two = () => {
    const s = createLabStore({ experiment: presetExperiment(PRESETS[0]) });
    const runs = s.getState().resolved().runs!.slice(0, 2);
    const ids = s.getState().enqueue(runs, 'exp');
    return { s, ids };
  };

  test('the queue starts one run at a time and follows the worker events to done', () => {
    const { s, ids } = two();
    const st = () => s.getState();
    expect(st().nextToStart()?.id).toBe(ids[0]);
    st().markStarting(ids[0]);
    expect(st().nextToStart()).toBeNull(); // one active at a time
    st().applyEvent({
      type: 'progress',
      runId: ids[0],
      phase: 'train',
      step: 10,
      steps: 300,
      loss: 3.2,
      tokensPerSecond: 500,
      etaSeconds: 60,
    });
    st().applyEvent({ type: 'metrics', runId: ids[0], step: 10, loss: 3.2, lr: 1e-3, tokensPerSecond: 500 });
    st().applyEvent({ type: 'paused', runId: ids[0], paused: true });
    expect(st().runs[0].status).toBe('paused');
    st().applyEvent({ type: 'paused', runId: ids[0], paused: false });
    expect(st().runs[0]).toMatchObject({
      status: 'running',
      progress: { step: 10, loss: 3.2 },
      curve: [{ step: 10, loss: 3.2 }],
    });
    st().applyEvent({ type: 'results', runId: ids[0], doc: fakeDoc('softmax'), maps: [] });
    expect(st().runs[0].status).toBe('done');
    expect(st().nextToStart()?.id).toBe(ids[1]);
    expect(finishedDocs(st().runs).map((d) => d.label)).toEqual(['softmax']);
  });

  test('events of a run that is not active (stopped, unknown) are dropped', () => {
    const { s, ids } = two();
    const st = () => s.getState();
    st().markStarting(ids[0]);
    st().applyEvent({ type: 'stopped', runId: ids[0], step: 3 });
    expect(st().runs[0].status).toBe('stopped');
    st().applyEvent({ type: 'results', runId: ids[0], doc: fakeDoc('late'), maps: [] });
    st().applyEvent({
      type: 'progress',
      runId: 'unknown',
      phase: 'train',
      step: 1,
      steps: 2,
      loss: 1,
      tokensPerSecond: 1,
      etaSeconds: 1,
    });
    expect(st().runs[0].status).toBe('stopped');
    expect(st().runs[0].doc).toBeNull();
  });

  test('errors mark the run failed (device loss: interrupted) with the message, and the queue goes on', () => {
    const { s, ids } = two();
    const st = () => s.getState();
    st().markStarting(ids[0]);
    st().applyEvent({
      type: 'error',
      runId: ids[0],
      kind: 'limits',
      message: 'attention needs 2 GiB but maxStorageBufferBindingSize is 128 MiB',
    });
    expect(st().runs[0]).toMatchObject({ status: 'error', error: { kind: 'limits' } });
    st().markStarting(ids[1]);
    st().applyEvent({ type: 'error', runId: ids[1], kind: 'device-lost', message: 'lost' });
    expect(st().runs[1].status).toBe('interrupted');
  });

  test('re-run queues a copy; a re-run of shared results remembers which run it checks', () => {
    const { s, ids } = two();
    const st = () => s.getState();
    st().markStarting(ids[0]);
    st().applyEvent({ type: 'results', runId: ids[0], doc: fakeDoc('softmax'), maps: [] });
    const again = st().rerun(ids[0])!;
    expect(st().runs.find((r) => r.id === again)).toMatchObject({ status: 'queued', label: st().runs[0].label });
    const [shared] = st().addShared([fakeDoc('softmax')], 'link', 'from a link');
    expect(st().rerun(shared)).toBeNull(); // shared results carry no run config
    const withCheck = st().enqueue([DEFAULT_RUN], 'x', [shared]);
    expect(st().runs.find((r) => r.id === withCheck[0])?.checks).toBe(shared);
  });

  test('after a reload: active runs become interrupted, finished and queued runs are kept, the queue waits', () => {
    const { s, ids } = two();
    const st = () => s.getState();
    st().markStarting(ids[0]);
    st().applyEvent({
      type: 'progress',
      runId: ids[0],
      phase: 'train',
      step: 40,
      steps: 300,
      loss: 3,
      tokensPerSecond: 1,
      etaSeconds: 1,
    });
    const saved = structuredClone(st().runs);
    const fresh = createLabStore();
    fresh.getState().restore(saved);
    const r = fresh.getState().runs;
    expect(r.map((x) => x.status)).toEqual(['interrupted', 'queued']);
    expect(r[0].error?.message).toMatch(/step 40 of 300/);
    expect(fresh.getState().queueActive).toBe(false);
    expect(fresh.getState().nextToStart()).toBeNull();
    fresh.getState().setQueueActive(true);
    expect(fresh.getState().nextToStart()?.id).toBe(ids[1]);
  });

  test('clear finished keeps queued, active and shared runs', () => {
    const { s, ids } = two();
    const st = () => s.getState();
    st().markStarting(ids[0]);
    st().applyEvent({ type: 'results', runId: ids[0], doc: fakeDoc('softmax'), maps: [] });
    st().addShared([fakeDoc('b')], 'link', 'x');
    st().clearFinished();
    expect(st().runs.map((r) => r.status)).toEqual(['queued', 'shared']);
  });
});

describe('ui slice', () => {
  test('hide, highlight, large text and banners', () => {
    const s = createLabStore();
    const st = () => s.getState();
    st().toggleHidden('a');
    st().toggleHidden('b');
    st().toggleHidden('a');
    expect(st().hidden).toEqual(['b']);
    st().setHighlight('x');
    expect(st().highlight).toBe('x');
    st().setHighlight('x');
    expect(st().highlight).toBeNull();
    st().toggleLargeText();
    expect(st().largeText).toBe(true);
    const id = st().pushBanner({ kind: 'warning', title: 't', lines: ['<script>alert(1)</script>'] });
    expect(st().banners[0].lines[0]).toBe('<script>alert(1)</script>'); // kept as text; React renders it as text
    st().dismissBanner(id);
    expect(st().banners).toEqual([]);
  });
});

describe('persistence', () => {
  test('syncRuns writes new and changed records, deletes removed ones, and skips progress ticks', async () => {
    const storage = memoryStorage();
    const s = createLabStore();
    const st = () => s.getState();
    const ids = st().enqueue([DEFAULT_RUN, DEFAULT_RUN], 'x');
    let prev: readonly RunRecord[] = [];
    const sync = async () => {
      await syncRuns(storage, prev, st().runs);
      prev = st().runs;
    };
    await sync();
    expect(storage.data.size).toBe(2);
    st().markStarting(ids[0]);
    await sync();
    expect(storage.data.get(ids[0])?.status).toBe('running');
    const before = storage.data.get(ids[0]);
    st().applyEvent({
      type: 'progress',
      runId: ids[0],
      phase: 'train',
      step: 1,
      steps: 300,
      loss: 3,
      tokensPerSecond: 1,
      etaSeconds: 1,
    });
    expect(
      worthSaving(
        prev.find((r) => r.id === ids[0]),
        st().runs[0],
      ),
    ).toBe(false);
    await sync();
    expect(storage.data.get(ids[0])).toEqual(before);
    st().applyEvent({
      type: 'progress',
      runId: ids[0],
      phase: 'train',
      step: 31,
      steps: 300,
      loss: 3,
      tokensPerSecond: 1,
      etaSeconds: 1,
    });
    await sync();
    expect(storage.data.get(ids[0])?.progress?.step).toBe(31);
    st().applyEvent({ type: 'results', runId: ids[0], doc: fakeDoc('a'), maps: [] });
    st().removeRun(ids[1]);
    await sync();
    expect([...storage.data.keys()]).toEqual([ids[0]]);
    expect(storage.data.get(ids[0])?.doc?.label).toBe('a');
    // What was written restores into a fresh store.
    const again = createLabStore();
    again.getState().restore(await storage.loadAll());
    expect(finishedDocs(again.getState().runs).map((d) => d.label)).toEqual(['a']);
  });
});
