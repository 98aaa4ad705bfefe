// Mounts a plot's SVG and offers its export as SVG and PNG; under the figure,
// folded, its text alternatives: its numbers in words (where it has them) and
// always as a table (src/report/plotTables.ts), so no plot is a picture only.
import { useEffect, useId, useRef } from 'react';
import type { PlotTable } from '../../src/report/plotTables';
import { downloadBlob, downloadText, safeFileName, svgText, svgToPng } from '../download';

export function PlotView({
  svg,
  name,
  title,
  testId,
  description,
  table,
}: {
  svg: SVGSVGElement;
  name: string;
  title: string;
  testId?: string;
  /** The figure in words and numbers: the figure's accessible description, and shown on request. */
  description?: string;
  /** The figure's numbers: every plot has them (its text alternative for every reader). */
  table: PlotTable;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const descId = useId();
  useEffect(() => {
    ref.current?.replaceChildren(svg);
  }, [svg]);
  const file = safeFileName(name);
  return (
    <figure className="plot" data-testid={testId} aria-describedby={description ? descId : undefined}>
      <figcaption>
        <span className="plot-title">{title}</span>
        <span className="buttons">
          <button
            type="button"
            aria-label={`Download ${title} as SVG`}
            onClick={() => downloadText(`${file}.svg`, svgText(svg), 'image/svg+xml')}
          >
            SVG
          </button>
          <button
            type="button"
            aria-label={`Download ${title} as PNG`}
            onClick={() => void svgToPng(svg).then((b) => downloadBlob(`${file}.png`, b))}
          >
            PNG
          </button>
        </span>
      </figcaption>
      {/* The drawing is hidden from assistive technology: Plot labels its mark groups ("line", "dot"), a label a
          plain SVG group may not carry (axe: aria-prohibited-attr) and that means nothing read aloud. The figure
          is named by its caption and described by its words. */}
      <div ref={ref} className="plot-svg" aria-hidden="true" />
      {description && (
        <details className="plot-alt">
          <summary>In words</summary>
          <p id={descId}>{description}</p>
        </details>
      )}
      <details className="plot-table">
        <summary>As a table</summary>
        <NumbersTable table={table} />
      </details>
    </figure>
  );
}

/** A plot's numbers: captioned, a header per column and per row; wide ones scroll inside their box, not the page. */
function NumbersTable({ table }: { table: PlotTable }) {
  if (!table.rows.length) return <p>No numbers yet.</p>;
  return (
    <>
      {/* Focusable so that a keyboard can scroll a table wider than a phone (axe: scrollable-region-focusable). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to scroll by keys */}
      <section className="table-scroll" aria-label={table.caption} tabIndex={0}>
        <table>
          <caption>{table.caption}</caption>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r, i) => (
              <tr key={i}>
                <th scope="row">{r.head}</th>
                {r.cells.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {table.note && <p className="help">{table.note}</p>}
    </>
  );
}
