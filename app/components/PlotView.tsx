// Mounts a plot's SVG and offers its export as SVG and PNG; a plot with a
// text alternative (its numbers in words) says it under the figure, folded.
import { useEffect, useId, useRef } from 'react';
import { downloadBlob, downloadText, safeFileName, svgText, svgToPng } from '../download';

export function PlotView({
  svg,
  name,
  title,
  testId,
  description,
}: {
  svg: SVGSVGElement;
  name: string;
  title: string;
  testId?: string;
  /** The figure in words and numbers: the figure's accessible description, and shown on request. */
  description?: string;
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
    </figure>
  );
}
