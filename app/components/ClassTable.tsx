// The class table of the compare view: student x run, loss at T and at 16x,
// their ratio; the class average per run (students who left a locked field
// can be left out of it), the lock check's flags, and the table as CSV/JSON.
import { useMemo, useState } from 'react';
import { type ClassRow, classAverages, classCsv, classRows, type Student } from '../compare_data';
import { downloadText, safeFileName } from '../download';

const num = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
const longHead = (rows: readonly ClassRow[]) => {
  const fs = [...new Set(rows.map((r) => r.factor).filter((f) => f !== null))];
  return fs.length === 1 ? `loss at ${fs[0]}× T` : 'loss at the longest length';
};

export function ClassTable({ students, title }: { students: Student[]; title: string }) {
  const [leaveOut, setLeaveOut] = useState(true);
  const rows = useMemo(() => classRows(students), [students]);
  const avg = useMemo(() => classAverages(rows, leaveOut), [rows, leaveOut]);
  const flags = students.flatMap((s) => s.flags);
  const file = `${safeFileName(title)}-class`;
  return (
    <section className="class-table" aria-labelledby="class-table-h">
      <h3 id="class-table-h">The class, run by run</h3>
      {flags.length > 0 && (
        <div className="note" data-testid="lock-flags">
          <p>These results leave a locked field of the assignment (a link can be edited by hand):</p>
          <ul>
            {flags.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          <label className="inline">
            <input type="checkbox" checked={leaveOut} onChange={(e) => setLeaveOut(e.target.checked)} /> Leave them out
            of the class average
          </label>
        </div>
      )}
      <table data-testid="class-table">
        <thead>
          <tr>
            <th scope="col">student</th>
            <th scope="col">run</th>
            <th scope="col">loss at T</th>
            <th scope="col">{longHead(rows)}</th>
            <th scope="col">ratio</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} className={r.flagged ? 'flagged' : undefined}>
              <th scope="row">
                {r.student}
                {r.flagged ? ' (flagged)' : ''}
              </th>
              <td>{r.run}</td>
              <td>{num(r.lossAtT)}</td>
              <td>{num(r.lossLong)}</td>
              <td>{num(r.ratio, 2)}</td>
            </tr>
          ))}
          {avg.map((a) => (
            <tr key={a.run} className="average">
              <th scope="row">class average ({a.n})</th>
              <td>{a.run}</td>
              <td>{num(a.lossAtT)}</td>
              <td>{num(a.lossLong)}</td>
              <td>{num(a.ratio, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" onClick={() => downloadText(`${file}.csv`, classCsv(rows, avg), 'text/csv')}>
          Export the class table (CSV)
        </button>
        <button
          type="button"
          onClick={() =>
            downloadText(`${file}.json`, JSON.stringify({ title, rows, averages: avg }, null, 2), 'application/json')
          }
        >
          Export the class table (JSON)
        </button>
      </div>
    </section>
  );
}
