// Mounts a plot's SVG and offers its export as SVG and PNG.
import { useEffect, useRef } from 'react';
import { downloadBlob, downloadText, safeFileName, svgText, svgToPng } from '../download';

export function PlotView({
  svg,
  name,
  title,
  testId,
}: {
  svg: SVGSVGElement;
  name: string;
  title: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.replaceChildren(svg);
  }, [svg]);
  const file = safeFileName(name);
  return (
    <figure className="plot" data-testid={testId}>
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
      <div ref={ref} className="plot-svg" />
    </figure>
  );
}
