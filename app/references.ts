// The reference band files (docs/figures/reference/<id>.json.gz, scripts/reference-bands.ts), fetched when their
// preset is opened and kept for the page's life. Vite turns each file into an asset of the build and this map
// into their URLs (`no-inline`: files this small would otherwise be inlined into the page's script, which would
// load every preset's band up front).
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { decodeReference, type Reference } from '../src/report/reference';

const FILES = import.meta.glob<string>('../docs/figures/reference/*.json.gz', {
  query: '?url&no-inline',
  import: 'default',
  eager: true,
});
const urlOf = (id: string): string | undefined => FILES[`../docs/figures/reference/${id}.json.gz`];

type Entry = { state: 'loading' } | { state: 'ok'; ref: Reference } | { state: 'error'; message: string };

const entries = new Map<string, Entry>();
const listeners = new Set<() => void>();
let version = 0;

function set(id: string, e: Entry) {
  entries.set(id, e);
  version++;
  for (const l of listeners) l();
}

/** Starts fetching preset `id`'s band unless it is fetched, being fetched, or ships none. */
export function requestReference(id: string): void {
  const url = urlOf(id);
  if (!url || entries.has(id)) return;
  set(id, { state: 'loading' });
  fetch(url)
    .then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.arrayBuffer();
    })
    .then((b) => decodeReference(new Uint8Array(b)))
    .then(
      (ref) => set(id, { state: 'ok', ref }),
      // The band is an extra: without it the run's own results still show; the console says why.
      (e: unknown) => {
        console.warn(`reference band of ${id} not loaded: ${e instanceof Error ? e.message : String(e)}`);
        set(id, { state: 'error', message: e instanceof Error ? e.message : String(e) });
      },
    );
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The loaded references of presets `ids` (joined by newlines), in that order; fetches those not yet requested. */
export function useReferences(ids: string): Reference[] {
  useEffect(() => {
    for (const id of ids.split('\n')) if (id) requestReference(id);
  }, [ids]);
  const v = useSyncExternalStore(subscribe, () => version);
  // The same array while nothing changed, so the plots that depend on it are not redrawn on every render.
  return useMemo(() => {
    void v;
    return ids
      .split('\n')
      .map((id) => entries.get(id))
      .flatMap((e) => (e?.state === 'ok' ? [e.ref] : []));
  }, [ids, v]);
}
