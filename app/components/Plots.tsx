// Every plot of the finished (and shared) runs, with the legend to hide or
// highlight runs (PlotLegend.tsx), the re-run check against shared numbers
// (RerunCheck.tsx), and exports.
import { useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { ResultsDoc } from '../../src/eval/results';
import { answerSvg } from '../../src/report/answer';
import { answerData, answerFigureFor, answerSummary, answerTitle } from '../../src/report/answerData';
import { attentionMapSvg } from '../../src/report/attentionMap';
import { type PlotOpts, seriesOf } from '../../src/report/common';
import { type DiagnosticMetric, diagnosticLengths, diagnosticsSvg, METRIC_LABELS } from '../../src/report/diagnostics';
import { liveSummary } from '../../src/report/liveLength';
import { lossSummary } from '../../src/report/lossTable';
import { lossVsLengthPoints, lossVsLengthSvg, variantsOf } from '../../src/report/lossVsLength';
import { type CurveSeries, lossVsStepSvg } from '../../src/report/lossVsStep';
import { passkeySvg } from '../../src/report/passkey';
import { perPositionSvg } from '../../src/report/perPosition';
import {
  answerTable,
  attentionMapTable,
  diagnosticsTable,
  lossVsLengthTable,
  lossVsStepTable,
  passkeyTable,
  perPositionTable,
} from '../../src/report/plotTables';
import { referenceLabel } from '../../src/report/referenceBand';
import { liveLines } from '../live';
import { plotReference } from '../reference_view';
import { ACTIVE, type RunRecord } from '../store';
import { useLab, useLabState } from './context';
import { LiveReplay } from './LiveReplay';
import { Legend, VariantKey } from './PlotLegend';
import { PlotView } from './PlotView';
import { RerunCheck } from './RerunCheck';
import { ResultsFiles } from './ResultsFiles';
import { useReferenceBands } from './useReferenceBands';
import { useWidth } from './useWidth';

/** The document a record contributes to the plots (shared ones marked so they never merge with a re-run). */
export function plotDoc(r: RunRecord): ResultsDoc | null {
  if (!r.doc || (r.status !== 'done' && r.status !== 'shared')) return null;
  return r.source === 'link' ? { ...r.doc, label: `${r.doc.label} (shared)` } : r.doc;
}

export function Plots() {
  const runs = useLabState((s) => s.runs);
  const hiddenList = useLabState((s) => s.hidden);
  const highlight = useLabState((s) => s.highlight);
  const large = useLabState((s) => s.largeText);
  const title = useLabState((s) => s.experiment.label);
  const liveStore = useLab().live;
  const liveHistory = useStore(liveStore, (s) => s.history);
  const replayStep = useStore(liveStore, (s) => s.replayStep);
  const liveLength = useMemo(() => liveLines(runs, liveHistory, replayStep), [runs, liveHistory, replayStep]);
  const box = useRef<HTMLElement>(null);
  // Plots fill their column (a projector's wide screen included) and grow with the large-text setting.
  const width = useWidth(box);
  const [tail, setTail] = useState(false);
  const [metric, setMetric] = useState<DiagnosticMetric>('entropy');
  const [diagLen, setDiagLen] = useState<number | null>(null);
  const [mapRun, setMapRun] = useState<string>('');
  const [mapSel, setMapSel] = useState({ layer: 0, head: 0, length: 0 });

  const docs = useMemo(() => runs.map(plotDoc).filter((d): d is ResultsDoc => d !== null), [runs]);
  const live: CurveSeries[] = useMemo(
    () =>
      runs.filter((r) => ACTIVE.includes(r.status) && r.curve.length).map((r) => ({ name: r.label, curve: r.curve })),
    [runs],
  );
  const names = useMemo(
    () => [...new Set([...seriesOf(docs).map((s) => s.name), ...live.map((l) => l.name)])],
    [docs, live],
  );
  const opts: PlotOpts = useMemo(
    () => ({
      hidden: new Set(hiddenList),
      highlight,
      colorDomain: names,
      width,
      height: large ? 480 : 360,
      fontSize: large ? 18 : 12,
    }),
    [hiddenList, highlight, names, large, width],
  );

  // Under each run of an open preset, the preset's reference band (its bands are of the mean loss, not the tail's).
  const refs = useReferenceBands();
  const band = useMemo(() => plotReference(seriesOf(docs), refs), [docs, refs]);
  const lvl = useMemo(
    () =>
      lossVsLengthSvg(docs, {
        ...opts,
        field: tail ? 'tailLoss' : 'meanLoss',
        reference: band.runs.size && !tail ? band : undefined,
        live: liveLength,
      }),
    [docs, opts, tail, band, liveLength],
  );
  const lossAlt = useMemo(
    () =>
      [
        docs.length ? lossSummary(docs, opts.hidden) : '',
        band.runs.size && !tail
          ? `Shaded under ${[...band.runs.keys()].join(', ')}: the ${referenceLabel(band.seeds)} of the preset ` +
            `(min to max, docs/figures/${band.presets.join(', ')}.json).`
          : '',
        liveSummary(liveLength, opts.hidden),
      ].filter(Boolean),
    [docs, opts, band, tail, liveLength],
  );
  const variants = useMemo(() => variantsOf(lossVsLengthPoints(docs)), [docs]);
  // The figure that answers the experiment's question: its preset's (by the experiment's title or the runs' labels).
  const answerFig = useMemo(() => answerFigureFor(docs, title), [docs, title]);
  const answer = useMemo(() => answerSvg(docs, answerFig, opts), [docs, answerFig, opts]);
  const answerText = useMemo(() => {
    const a = answerData(docs, answerFig, opts.hidden);
    return { title: answerTitle(a), summary: answerSummary(a), table: answerTable(a) };
  }, [docs, answerFig, opts]);
  const curveSeries = useMemo(
    () => [...seriesOf(docs).flatMap((s) => s.docs.map((d) => ({ name: s.name, curve: d.trainingCurve }))), ...live],
    [docs, live],
  );
  const curves = useMemo(() => lossVsStepSvg(curveSeries, opts), [curveSeries, opts]);
  // Every plot's numbers as a table (its text alternative), from the points the plot draws.
  const tables = useMemo(
    () => ({
      lvl: lossVsLengthTable(docs, { field: tail ? 'tailLoss' : 'meanLoss', hidden: opts.hidden }),
      curves: lossVsStepTable(curveSeries, { hidden: opts.hidden }),
      perPos: perPositionTable(docs, opts.hidden),
      pk: passkeyTable(docs, opts.hidden),
    }),
    [docs, curveSeries, opts, tail],
  );
  const perPos = useMemo(() => perPositionSvg(docs, opts), [docs, opts]);
  const hasPasskey = docs.some((d) => d.passkey);
  const pk = useMemo(() => (hasPasskey ? passkeySvg(docs, opts) : null), [docs, opts, hasPasskey]);
  const lengths = useMemo(() => diagnosticLengths(docs), [docs]);
  const diagL = diagLen ?? lengths.at(-1) ?? undefined;
  const diag = useMemo(
    () => (lengths.length ? diagnosticsSvg(docs, { ...opts, metric, length: diagL }) : null),
    [docs, opts, metric, diagL, lengths],
  );

  const withMaps = runs.filter((r) => r.maps.length && (r.status === 'done' || r.status === 'shared'));
  const mapRec = withMaps.find((r) => r.id === mapRun) ?? withMaps.at(-1);
  const mapLayers = mapRec ? [...new Set(mapRec.maps.map((m) => m.layer))] : [];
  const mapHeads = mapRec ? [...new Set(mapRec.maps.map((m) => m.head))] : [];
  const mapLengths = mapRec ? [...new Set(mapRec.maps.map((m) => m.length))] : [];
  const wantLen = mapLengths.includes(mapSel.length) ? mapSel.length : mapLengths.at(-1);
  const map =
    mapRec?.maps.find((m) => m.layer === mapSel.layer && m.head === mapSel.head && m.length === wantLen) ??
    mapRec?.maps[0] ??
    null;
  const heat = useMemo(() => attentionMapSvg(map, { width: large ? 480 : 420 }), [map, large]);

  return (
    <section className="panel plots" aria-labelledby="plots-h" ref={box}>
      <h2 id="plots-h">Results</h2>
      {names.length > 0 && <Legend names={names} opts={opts} />}
      {docs.length > 0 && (
        <PlotView
          svg={answer}
          name="answer"
          title={answerText.title}
          testId="plot-answer"
          description={answerText.summary}
          table={answerText.table}
        />
      )}
      <PlotView
        svg={lvl}
        name="loss-vs-length"
        title={
          tail ? 'Tail loss (last T positions) against evaluation length' : 'Validation loss against evaluation length'
        }
        testId="plot-loss-vs-length"
        description={lossAlt.length ? lossAlt.join(' ') : undefined}
        table={tables.lvl}
      />
      <LiveReplay />
      <VariantKey variants={variants} />
      <label className="inline">
        <input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} /> Show the tail loss (last T
        positions only)
      </label>
      <RerunCheck runs={runs} />
      <PlotView
        svg={curves}
        name="loss-vs-step"
        title="Training loss and validation loss at T, against step"
        testId="plot-loss-vs-step"
        table={tables.curves}
      />
      {docs.length > 0 && (
        <>
          <PlotView
            svg={perPos}
            name="per-position-loss"
            title="Loss by position at the longest length"
            testId="plot-per-position"
            table={tables.perPos}
          />
          {pk && (
            <PlotView
              svg={pk}
              name="passkey"
              title="Passkey retrieval accuracy against length"
              testId="plot-passkey"
              table={tables.pk}
            />
          )}
          {diag && (
            <div className="diag">
              <div className="row">
                <label className="inline">
                  Diagnostic{' '}
                  <select value={metric} onChange={(e) => setMetric(e.target.value as DiagnosticMetric)}>
                    {(Object.keys(METRIC_LABELS) as DiagnosticMetric[]).map((m) => (
                      <option key={m} value={m}>
                        {METRIC_LABELS[m]}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="inline">
                  at length{' '}
                  <select value={diagL} onChange={(e) => setDiagLen(Number(e.target.value))}>
                    {lengths.map((l) => (
                      <option key={l} value={l}>
                        {l}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <PlotView
                svg={diag}
                name={`diagnostics-${metric}`}
                title="Attention diagnostics per layer (mean over heads, bar: head range)"
                testId="plot-diagnostics"
                table={diagnosticsTable(docs, metric, diagL, opts.hidden)}
              />
            </div>
          )}
          {mapRec && (
            <div className="heatmap">
              <div className="row">
                <label className="inline">
                  Run{' '}
                  <select value={mapRec.id} onChange={(e) => setMapRun(e.target.value)}>
                    {withMaps.map((r) => (
                      <option key={r.id} value={r.id}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                </label>
                <NumberPicker
                  label="Layer"
                  value={map?.layer ?? 0}
                  options={mapLayers}
                  show={(l) => l + 1}
                  onChange={(layer) => setMapSel({ ...mapSel, layer })}
                />
                <NumberPicker
                  label="Head"
                  value={map?.head ?? 0}
                  options={mapHeads}
                  show={(h) => h + 1}
                  onChange={(head) => setMapSel({ ...mapSel, head })}
                />
                <NumberPicker
                  label="Length"
                  value={map?.length ?? 0}
                  options={mapLengths}
                  show={(l) => l}
                  onChange={(length) => setMapSel({ ...mapSel, length })}
                />
              </div>
              <PlotView
                svg={heat}
                name="attention-map"
                title={`Attention map: ${mapRec.label}`}
                testId="plot-attention-map"
                table={attentionMapTable(map)}
              />
            </div>
          )}
        </>
      )}
      <ResultsFiles docs={docs} />
    </section>
  );
}

/** A labelled select over numbers (the heatmap's layer, head and length pickers). */
function NumberPicker(props: {
  label: string;
  value: number;
  options: number[];
  show: (v: number) => number | string;
  onChange: (v: number) => void;
}) {
  return (
    <label className="inline">
      {props.label}{' '}
      <select value={props.value} onChange={(e) => props.onChange(Number(e.target.value))}>
        {props.options.map((v) => (
          <option key={v} value={v}>
            {props.show(v)}
          </option>
        ))}
      </select>
    </label>
  );
}
