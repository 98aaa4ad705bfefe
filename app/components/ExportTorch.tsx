// "Export as PyTorch" on a finished run: runs it again with the export on (the lab keeps results, not weights;
// same config and seed, same weights) and downloads a zip of model.py, train.py, the weights and the lab's
// numbers (src/export/). Says so when the re-run's losses differ from the stored run's.
import { useState } from 'react';
import { exportByRerun } from '../../src/export/rerun';
import { downloadBlob } from '../download';
import type { RunRecord } from '../store';
import { corpusUrl } from '../worker/client';
import { useLabState } from './context';

export function ExportTorch({ r }: { r: RunRecord }) {
  const userText = useLabState((s) => s.userText);
  const [state, setState] = useState<string | null>(null);
  if (!r.config || !r.doc || r.config.data.source === 'task') return null;
  const config = r.config;
  const stored = r.doc.lossVsLength[0].lengths.map((l) => l.meanLoss);
  const go = async () => {
    setState('exporting…');
    try {
      const text = config.data.source === 'text' ? (userText ?? undefined) : undefined;
      const out = await exportByRerun(config, text, corpusUrl(), (s, n) => setState(`exporting: step ${s}/${n}`));
      downloadBlob(
        `${config.label || 'run'}-pytorch.zip`,
        new Blob([out.zip as BlobPart], { type: 'application/zip' }),
      );
      const same = out.losses.length === stored.length && out.losses.every((l, i) => l === stored[i]);
      setState(same ? null : 'exported; the re-run’s losses differ from this run’s (see its results.json)');
    } catch (e) {
      setState(`export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <>
      <button
        type="button"
        onClick={go}
        disabled={!!state?.startsWith('exporting')}
        // The visible words first, then the run: a spoken command ("Export as PyTorch") must match the name.
        aria-label={`Export as PyTorch: ${r.label}`}
      >
        Export as PyTorch
      </button>
      {state && <small className="help">{state}</small>}
    </>
  );
}
