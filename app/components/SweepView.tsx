// A classroom sweep merged from its seats' links and files (Compare): what is in, what
// is missing, the plot, and the merged results as a file.
import type { ResultsDoc } from '../../src/eval/results';
import { type Merged, pairName } from '../../src/experiment/sweep';
import { lossVsLengthTable } from '../../src/report/plotTables';
import { sourcesText } from '../compare_files';
import { downloadText, safeFileName } from '../download';
import { resultsJson } from '../export';
import { PlotView } from './PlotView';

/** A classroom sweep merged from its seats' links: what is in, what is missing, the plot. */
export function SweepView({ merged, svg }: { merged: Merged; svg: SVGSVGElement }) {
  const total = merged.tag.pairs.length;
  const docs: ResultsDoc[] = merged.docs;
  return (
    <div className="sweep-merge" data-testid="sweep-merge">
      <p>
        Classroom sweep <strong>{merged.name}</strong> (sweep {merged.id}): {docs.length} of {total} runs, from{' '}
        {sourcesText(merged.sources)}.
      </p>
      {merged.missing.length ? (
        <ul className="note" data-testid="sweep-missing">
          {merged.missing.map((m) => (
            <li key={m.shard[0]}>
              Missing: seat {m.shard[0]} of {m.shard[1]} ({m.pairs.map((i) => pairName(merged.tag, i)).join(', ')})
            </li>
          ))}
        </ul>
      ) : (
        <p data-testid="sweep-complete">Complete: all {total} runs of the sweep are in.</p>
      )}
      {merged.adapters.length > 1 && (
        <p className="help">
          The seats ran on {merged.adapters.length} different GPUs ({merged.adapters.join('; ')}): their numbers can
          differ in the last digits from one machine's run of the whole sweep.
        </p>
      )}
      <PlotView
        svg={svg}
        name={`classroom-sweep-${merged.id}`}
        title="The class's sweep: validation loss against evaluation length (mean and range over seeds)"
        testId="plot-sweep"
        table={lossVsLengthTable(docs)}
      />
      <button
        type="button"
        onClick={() =>
          downloadText(`${safeFileName(merged.name)}-sweep-${merged.id}.json`, resultsJson(docs), 'application/json')
        }
      >
        Download the merged results (JSON)
      </button>
    </div>
  );
}
