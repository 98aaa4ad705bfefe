// The classroom compare view: the teacher pastes students' result links (one
// per line) and loads their results files (app/compare_files.ts: a file with
// weights also lets its runs continue text and colour a passage, the lab's
// own panels); each is validated. Links of a classroom sweep's seats (Share
// panel, "Classroom sweep") are merged by the command line's merge rules
// (src/experiment/sweep.ts): one plot of the whole sweep with seed bands, the
// seats still missing, and links of another sweep refused by name. Other
// links are told apart by name and run id (compare_data.ts), checked against
// the assignment's locks, overlaid with a legend, and tabled for the class.
import { useEffect, useMemo, useRef, useState } from 'react';
import { type Merged, MergeRefusal, SweepMerge } from '../../src/experiment/sweep';
import { decodeExperiment } from '../../src/experiment/url';
import { seriesOf } from '../../src/report/common';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { lossVsLengthTable } from '../../src/report/plotTables';
import type { Assignment, Student } from '../compare_data';
import { collectStudents } from '../compare_data';
import { type CompareFile, compareVoices, keepCompareWeights, readCompareFile } from '../compare_files';
import { checkResultsFileSize, pastedParams, readStudentLink, type StudentResults } from '../export';
import { withLegend } from '../legend_svg';
import { ClassTable } from './ClassTable';
import { useLab, useLabState } from './context';
import { Passage } from './Passage';
import { PlotView } from './PlotView';
import { Speak } from './Speak';
import { SweepView } from './SweepView';
import { useWidth } from './useWidth';

/** The student link handed out, as the assignment to check against (null: none, or it does not read). */
function readAssignment(link: string): Assignment | null {
  if (!link.trim()) return null;
  const d = decodeExperiment(pastedParams(link));
  return d.refused || !d.teacher ? null : { experiment: d.experiment, locked: d.teacher.locked };
}

/** A loaded file, and which of its runs' weights the run host keeps (compareRunId -> null, or why not). */
type Loaded = CompareFile & { kept: Map<string, string | null> };

export function Compare() {
  const { store, speak } = useLab();
  const text = useLabState((s) => s.compareText);
  const assignmentLink = useLabState((s) => s.assignment);
  const large = useLabState((s) => s.largeText);
  const [students, setStudents] = useState<Student[]>([]);
  const [notes, setNotes] = useState<string[]>([]);
  const [merged, setMerged] = useState<Merged | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const [files, setFiles] = useState<Loaded[]>([]);
  const [fileProblems, setFileProblems] = useState<string[]>([]);
  /** The loaded files merged as a sweep's (their runs speak too, told apart by seed). */
  const [sweepFiles, setSweepFiles] = useState<Loaded[]>([]);
  const box = useRef<HTMLDetailsElement>(null);
  const width = useWidth(box);
  const assignment = useMemo(() => readAssignment(assignmentLink), [assignmentLink]);
  const read = async (loaded = files) => {
    setBusy(true);
    const lines = text
      .split(/\s*\n\s*/)
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 60);
    const ok: { from: string; r: StudentResults }[] = [];
    const bad: string[] = [];
    const sweep = new SweepMerge();
    for (const [i, l] of lines.entries()) {
      try {
        const r = await readStudentLink(l, i + 1);
        if (r.sweep) sweep.add({ source: `link ${i + 1}`, docs: r.sweep });
        else ok.push({ from: `link ${i + 1}`, r });
      } catch (e) {
        bad.push(
          e instanceof MergeRefusal ? e.message : `link ${i + 1}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    const merged: Loaded[] = [];
    for (const f of loaded) {
      try {
        if (f.results.sweep) sweep.add({ source: f.from, docs: f.results.sweep }), merged.push(f);
        else ok.push({ from: f.from, r: f.results });
      } catch (e) {
        bad.push(e instanceof Error ? e.message : String(e));
      }
    }
    const c = collectStudents(ok, assignment);
    setStudents(c.students);
    setSweepFiles(merged);
    setNotes(c.notes);
    setMerged(sweep.result());
    setProblems(bad);
    setBusy(false);
  };
  // Links pasted before a reload are read again once the view is opened.
  const readOnOpen = useRef(true);
  // Files: each checked for size before it is read, then read, its weights handed to the run host; one line per
  // problem, and the files that read join the class.
  const addFiles = async (list: readonly File[]) => {
    const added: Loaded[] = [];
    const lines: string[] = [];
    setBusy(true);
    for (const f of list) {
      try {
        checkResultsFileSize(f.size);
        const file = readCompareFile(f.name, await f.text());
        const { kept, problems } = await keepCompareWeights(speak, file);
        added.push({ ...file, kept });
        lines.push(...problems);
      } catch (e) {
        const m = e instanceof Error ? e.message : String(e);
        lines.push(m.startsWith('file ') ? m : `file ${f.name}: ${m}`);
      }
    }
    const all = [...files.filter((f) => !added.some((a) => a.from === f.from)), ...added];
    setFiles(all);
    setFileProblems(lines);
    await read(all);
  };
  const removeFile = (from: string) => {
    const rest = files.filter((f) => f.from !== from);
    setFiles(rest);
    setFileProblems([]);
    void read(rest);
  };
  const kept = useMemo(() => new Map(files.flatMap((f) => [...f.kept])), [files]);
  const voices = useMemo(() => compareVoices(students, kept, sweepFiles), [students, kept, sweepFiles]);
  useEffect(() => {
    if (open && readOnOpen.current && text.trim()) void read();
    if (open) readOnOpen.current = false;
  });
  const docs = useMemo(() => students.flatMap((s) => s.docs), [students]);
  const fontSize = large ? 18 : 12;
  const svg = useMemo(() => {
    const names = seriesOf(docs).map((s) => s.name);
    const plot = lossVsLengthSvg(docs, { width, height: large ? 480 : 360, fontSize, colorDomain: names });
    return withLegend(
      plot,
      names.map((name, index) => ({ name, index })),
      fontSize,
    );
  }, [docs, width, large, fontSize]);
  const sweepSvg = useMemo(
    () => merged && lossVsLengthSvg(merged.docs, { width, height: large ? 480 : 360, fontSize }),
    [merged, width, large, fontSize],
  );
  const title = assignment?.experiment.label ?? 'classroom';
  return (
    <details className="panel compare" ref={box} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <h2>Classroom: compare students' results</h2>
      </summary>
      <label htmlFor="compare-assignment">
        The student link you handed out (each result is checked against its locked fields; filled in when you make one)
      </label>
      <input
        id="compare-assignment"
        value={assignmentLink}
        onChange={(e) => store.getState().setAssignment(e.target.value)}
      />
      <label htmlFor="compare-links">
        Paste result links, one per line (each made with “Copy link with results”, or a sweep seat's “Copy seat results
        link”)
      </label>
      <textarea
        id="compare-links"
        rows={4}
        value={text}
        onChange={(e) => store.getState().setCompareText(e.target.value)}
      />
      <fieldset
        className="row compare-files"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          void addFiles([...e.dataTransfer.files]);
        }}
      >
        <legend>Results files</legend>
        <label className="file-button">
          Load results files (JSON)
          <input
            type="file"
            multiple
            disabled={busy}
            accept=".json,application/json"
            onChange={(e) => {
              void addFiles([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
        </label>
        <span className="help">
          or drop them here: each student's Export JSON (“with weights” lets its runs continue text), or the command
          line's --out file
        </span>
      </fieldset>
      {files.length > 0 && (
        <ul className="compare-file-list" aria-label="Results files loaded">
          {files.map((f) => (
            <li key={f.from}>
              {`${f.name}: ${f.runs.length} run${f.runs.length === 1 ? '' : 's'}, `}
              {`${f.runs.filter((r) => r.weights).length} with weights`}{' '}
              <button type="button" onClick={() => removeFile(f.from)} aria-label={`Remove ${f.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <button type="button" onClick={() => void read()} disabled={busy || (!text.trim() && !files.length)}>
          Compare
        </button>
        {students.length > 0 && (
          <span className="help" data-testid="compare-students">
            {students.length} student{students.length === 1 ? '' : 's'}: {students.map((s) => s.name).join(', ')}
          </span>
        )}
      </div>
      {problems.length + fileProblems.length > 0 && (
        // The alert around the list, not on it: a list with role="alert" is no list to a screen reader.
        <div role="alert">
          <ul className="error">
            {[...fileProblems, ...problems].map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {notes.length > 0 && (
        <ul className="note" data-testid="compare-notes">
          {notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      {merged && sweepSvg && <SweepView merged={merged} svg={sweepSvg} />}
      {docs.length > 0 && (
        <>
          <PlotView
            svg={svg}
            name={`${title}-classroom-compare`}
            title="Students' validation loss against evaluation length"
            testId="plot-compare"
            table={lossVsLengthTable(docs)}
          />
          <ClassTable students={students} title={title} />
        </>
      )}
      {files.length > 0 && voices.ready.length + voices.notKept.length > 0 && (
        <>
          <Speak runs={voices} about="The same prompt, continued by every student's run whose file carries weights," />
          <Passage runs={voices} />
        </>
      )}
    </details>
  );
}
