// A re-run of shared results against the numbers it was shared with.
import { diffFromShared } from '../export';
import type { RunRecord } from '../store';

export function RerunCheck({ runs }: { runs: RunRecord[] }) {
  const rows = runs
    .filter((r) => r.status === 'done' && r.checks && r.doc)
    .map((r) => {
      const shared = runs.find((x) => x.id === r.checks)?.doc;
      return shared ? { r, d: diffFromShared(shared, r.doc!) } : null;
    })
    .filter((x) => x !== null);
  if (!rows.length) return null;
  return (
    <section className="rerun-check" aria-label="Re-run against the shared numbers">
      <h3>Your re-run against the shared numbers</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">run</th>
            <th scope="col">largest difference</th>
            {rows[0].d.lengths.map((l) => (
              <th key={l.length} scope="col">
                L = {l.length}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ r, d }) => (
            <tr key={r.id}>
              <th scope="row">{r.label}</th>
              <td>{d.maxAbs.toFixed(4)} nats</td>
              {d.lengths.map((l) => (
                <td key={l.length}>
                  {l.now.toFixed(3)} vs {l.shared.toFixed(3)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="help">
        Same config and seed on another GPU differ only by floating-point reduction order; differences well below the
        gaps between mechanisms mean the finding reproduces.
      </p>
    </section>
  );
}
