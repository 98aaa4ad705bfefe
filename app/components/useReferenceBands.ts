// The reference bands of the presets open in the lab (app/reference_view.ts), fetched on first need.
import type { Reference } from '../../src/report/reference';
import { openPresets } from '../reference_view';
import { useReferences } from '../references';
import { useLabState } from './context';

export function useReferenceBands(): Reference[] {
  // A string, so that the many run updates of a training run do not re-render for an unchanged list.
  const ids = useLabState((s) => openPresets(s.experiment.label, s.runs).join('\n'));
  return useReferences(ids);
}
