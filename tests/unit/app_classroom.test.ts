// Issue 20: the classroom as it is used. Locks hold over presets, shrink and
// edits and the student's name is never overwritten; the compare view tells
// students apart by name and run id, drops duplicates with a note, flags a
// result that left a locked field, and tables the class; pasted links and
// large text are remembered.
import { describe, expect, test } from 'vitest';
import { isStudentLink, keepLocked, lockMismatches } from '../../app/classroom';
import { classAverages, classCsv, classRows, collectStudents, runId } from '../../app/compare_data';
import { fileName, lossVsLengthCsv, readStudentLink, trainingCurveCsv } from '../../app/export';
import { loadPrefs, savePrefs } from '../../app/prefs';
import { createLabStore } from '../../app/store';
import { defaultExperiment, type Experiment } from '../../src/experiment/experiment';
import { sealLink } from '../../src/experiment/link_check';
import { PRESETS, presetExperiment, QUICK_TRY } from '../../src/experiment/presets';
import { linkWithResults } from '../../src/experiment/results_link';
import { fakeDoc } from './app_fixture';

const LOCKED = ['train.steps', 'train.seqLen', 'model.nLayer'];

/** The teacher's assignment: steps 300, T 64, 2 layers, locked. */
function assignment(): Experiment {
  const e = defaultExperiment();
  e.label = 'Week 3: positions';
  e.base.train.steps = 300;
  e.base.train.seqLen = 64;
  e.base.model.nLayer = 2;
  return e;
}

const studentStore = () =>
  createLabStore({ experiment: assignment(), teacher: { locked: LOCKED, hidden: [] }, student: 'Ana' });

describe('locks that hold', () => {
  test('a preset loaded in a student link keeps every locked value and the name', () => {
    const store = studentStore();
    const preset = presetExperiment(PRESETS.find((p) => p.id === 'positional')!);
    // The preset would change all three locked fields, and the name.
    expect([preset.base.train.steps, preset.base.train.seqLen, preset.label]).not.toEqual([
      300,
      64,
      'Week 3: positions',
    ]);
    store.getState().loadExperiment(preset);
    const e = store.getState().experiment;
    expect([e.base.train.steps, e.base.train.seqLen, e.base.model.nLayer]).toEqual([300, 64, 2]);
    expect(e.label).toBe('Week 3: positions');
    expect(store.getState().student).toBe('Ana');
    // The preset's runs came, without a run's own value of a locked field.
    expect(e.runs).toHaveLength(preset.runs.length);
    for (const r of e.runs) for (const p of LOCKED) expect(r[p]).toBeUndefined();
    expect(e.base.model.positional).toBe(preset.base.model.positional);
  });

  test('shrink and edits leave locked fields alone; without locks a preset replaces everything', () => {
    const store = studentStore();
    for (const [p, v] of Object.entries(QUICK_TRY)) store.getState().setBaseField(p, v);
    const e = store.getState().experiment;
    expect([e.base.train.steps, e.base.train.seqLen, e.base.model.nLayer]).toEqual([300, 64, 2]);
    expect(store.getState().setRunField(0, 'train.steps', 20)).toBe(false);
    const free = createLabStore({ experiment: assignment() });
    const preset = presetExperiment(PRESETS[0]);
    free.getState().loadExperiment(preset);
    expect(free.getState().experiment).toEqual(preset);
    expect(isStudentLink(null)).toBe(false);
    expect(isStudentLink({ locked: [], hidden: [] })).toBe(false);
    expect(isStudentLink({ locked: [], hidden: ['seed'] })).toBe(true);
  });

  test('keepLocked is pure: the preset it is given is not changed', () => {
    const preset = presetExperiment(PRESETS[0]);
    const before = structuredClone(preset);
    keepLocked(preset, assignment(), LOCKED);
    expect(preset).toEqual(before);
  });
});

describe('the compare view checks the locks', () => {
  test('a result that left a locked field is named, field and value', () => {
    const ben = assignment();
    ben.base.train.steps = 20;
    expect(lockMismatches('Ben', ben, assignment(), LOCKED)).toEqual(['Ben: Steps 20, assignment 300']);
    expect(lockMismatches('Ana', assignment(), assignment(), LOCKED)).toEqual([]);
    // A run's own value counts too.
    const cat = assignment();
    cat.runs = [{}, { 'model.nLayer': 4 }];
    expect(lockMismatches('Cat', cat, assignment(), LOCKED)).toEqual(['Cat: Layers 4, assignment 2']);
  });
});

/** A student's results link, read as the compare view reads it. */
async function pasted(
  name: string | null,
  docs = [fakeDoc('softmax'), fakeDoc('lssa', { base: 2.5 })],
  e = assignment(),
) {
  const q = sealLink(await linkWithResults(e, { locked: LOCKED, hidden: [] }, docs, null, name));
  return readStudentLink(`https://school.example/#${q}`, 1);
}

describe('students told apart', () => {
  test('same name: two students; same link twice: one, with a note; a flagged student', async () => {
    const ana = await pasted('Ana');
    const ana2 = await pasted('Ana', [fakeDoc('softmax', { base: 2.9 }), fakeDoc('lssa', { base: 2.4 })]);
    const benExp = assignment();
    benExp.base.train.steps = 20;
    const ben = await pasted('Ben', [fakeDoc('softmax', { base: 3.3 })], benExp);
    const { students, notes } = collectStudents(
      [
        { from: 'link 1', r: ana },
        { from: 'link 2', r: ana2 },
        { from: 'link 3', r: ana },
        { from: 'link 4', r: ben },
      ],
      { experiment: assignment(), locked: LOCKED },
    );
    expect(students.map((s) => s.name)).toEqual(['Ana', 'Ana (2)', 'Ben']);
    expect(students[1].docs.map((d) => d.label)).toEqual(['Ana (2): softmax', 'Ana (2): lssa']);
    expect(notes).toEqual([
      "link 2: another student named 'Ana', shown as 'Ana (2)'",
      'link 3: the same results as link 1 (Ana); left out',
    ]);
    expect(students.map((s) => s.flags)).toEqual([[], [], ['Ben: Steps 20, assignment 300']]);
    expect(runId(ana.docs[0])).toMatch(/^[0-9a-f]{12}$/);
    expect(runId(ana.docs[0])).not.toBe(runId(ana2.docs[0]));

    // The class table: loss at T and at the longest factor (4x in the fixture), their ratio; class averages.
    const rows = classRows(students);
    expect(rows).toHaveLength(5);
    const first = rows[0];
    expect(first).toMatchObject({ student: 'Ana', run: 'softmax', factor: 4, flagged: false });
    expect(first.ratio).toBeCloseTo(first.lossLong! / first.lossAtT!, 12);
    const all = classAverages(rows, false);
    const fair = classAverages(rows, true);
    expect(all.map((a) => [a.run, a.n])).toEqual([
      ['softmax', 3],
      ['lssa', 2],
    ]);
    expect(fair[0].n).toBe(2);
    expect(fair[0].lossAtT).toBeCloseTo((rows[0].lossAtT! + rows[2].lossAtT!) / 2, 12);
    const lines = classCsv(rows, fair).trim().split('\n');
    expect(lines[0]).toBe('student,run,loss_at_T,loss_long,long_factor,ratio,flagged');
    expect(lines).toHaveLength(1 + 5 + 2);
    expect(lines.at(-1)).toMatch(/^class average \(2\),lssa,/);
  });

  test('a student link names its student; a refused link says the one sentence', async () => {
    expect((await pasted('Ana')).student).toBe('Ana');
    const q = sealLink(await linkWithResults(assignment(), null, [fakeDoc('x')], null, 'Ana')).toString();
    await expect(readStudentLink(`https://school.example/#${q.slice(0, -3)}`, 1)).rejects.toThrow(
      'This link is incomplete; it was probably cut off when copied. Ask for the whole link.',
    );
  });
});

describe('remembered across a reload', () => {
  test('large text, pasted links and the assignment round-trip; bad stored values are ignored', () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => mem.set(k, v) };
    savePrefs(storage, { largeText: true, compareText: 'https://a\nhttps://b', assignment: 'https://s' });
    expect(loadPrefs(storage)).toEqual({
      largeText: true,
      compareText: 'https://a\nhttps://b',
      assignment: 'https://s',
    });
    const store = createLabStore(loadPrefs(storage));
    expect(store.getState().largeText).toBe(true);
    expect(store.getState().compareText).toBe('https://a\nhttps://b');
    mem.set('attention-lab/prefs', '{"largeText":"yes","compareText":3}');
    expect(loadPrefs(storage)).toEqual({});
    mem.set('attention-lab/prefs', '{not json');
    expect(loadPrefs(storage)).toEqual({});
    expect(loadPrefs(null)).toEqual({});
  });
});

describe('files carry their names', () => {
  test('file names and CSV rows name the experiment and the student; without names the CSV is as before', () => {
    const who = { experiment: 'Week 3: positions', student: 'Ana' };
    expect(fileName(who, 'results.json')).toBe('Ana-Week-3-positions-results.json');
    expect(fileName({ experiment: 'Week 3', student: null }, 'training.csv')).toBe('Week-3-training.csv');
    const rows = lossVsLengthCsv([fakeDoc('softmax')], who)
      .trim()
      .split('\n');
    expect(rows[0]).toMatch(/^experiment,student,run,seed,/);
    expect(rows[1]).toMatch(/^Week 3: positions,Ana,softmax,1,/);
    expect(trainingCurveCsv([fakeDoc('softmax')], who).split('\n')[1]).toMatch(/^Week 3: positions,Ana,softmax,/);
    expect(lossVsLengthCsv([fakeDoc('softmax')]).split('\n')[0]).toMatch(/^run,seed,/);
  });
});
