// A preset's reference results in compact form (issue 15, "the reference beside every run"): for each of its runs,
// the config its results documents record and, per evaluation variant and length, the min, mean and max of the
// validation loss over the reference seeds (docs/figures/<id>.json, three seeds on a software adapter). The lab
// draws it as a band under the user's lines and says whether a finished run lands inside it; a run belongs to a
// reference run when the config its document records equals the reference run's (seed and label aside).
// Pure: documents in, reference out; the file is gzipped JSON (scripts/reference-bands.ts writes it, the lab
// and the tests read it back through decodeReference).
import { z } from 'zod';
import type { ResultsDoc } from '../eval/results';
import { variantName } from './lossVsLength';

export const REFERENCE_SCHEMA = 'attention-lab/reference';
export const REFERENCE_VERSION = 1;
/** Decimals of the stored losses: lo is rounded down and hi up, so the stored band contains every seed's value. */
export const REFERENCE_DECIMALS = 4;

/** The config a results document records, without its seed: what makes two runs the same experiment. */
export interface RecordedConfig {
  model: Record<string, unknown>;
  train: Record<string, unknown>;
  evaluation: Record<string, unknown>;
  data: string;
}

const finite = z.number().finite();
/** [factor, length, lo, mean, hi] */
const point = z.tuple([finite.positive(), z.number().int().positive(), finite, finite, finite]);
const referenceSchema = z.object({
  schema: z.literal(REFERENCE_SCHEMA),
  version: z.literal(REFERENCE_VERSION),
  preset: z.string().max(100),
  seeds: z.array(z.number().int().min(0)).min(1).max(64),
  adapter: z.string().max(500),
  engineVersion: z.string().max(50),
  runs: z
    .array(
      z.object({
        label: z.string().max(200),
        config: z.object({
          model: z.record(z.string(), z.unknown()),
          train: z.record(z.string(), z.unknown()),
          evaluation: z.record(z.string(), z.unknown()),
          data: z.string().max(200),
        }),
        /** The document's lossVsLength entries in order: the run's own evaluation (name null), then its variants. */
        variants: z.array(z.object({ name: z.string().max(200).nullable(), points: z.array(point).max(64) })).max(32),
      }),
    )
    .max(64),
});

export type Reference = z.infer<typeof referenceSchema>;
export type ReferenceRun = Reference['runs'][number];

export class ReferenceFileError extends Error {
  override name = 'ReferenceFileError';
}

export function recordedConfig(d: ResultsDoc): RecordedConfig {
  const { seed: _m, ...model } = d.model;
  const { seed: _t, ...train } = d.train as Record<string, unknown>;
  void _m;
  void _t;
  return { model, train, evaluation: { ...d.evaluation }, data: d.data.name };
}

/** Leaves of a value by dotted path (arrays are leaves), each as JSON, for comparing configs field by field. */
function leaves(v: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v))
    for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
  else out.set(path, JSON.stringify(v));
  return out;
}

/**
 * The fields where `run` differs from `reference` (dotted paths, e.g. 'train.steps'). Only the reference's fields
 * count: a field added to the engine after the reference was measured is at its default in the reference's runs.
 */
export function configDiff(reference: RecordedConfig, run: RecordedConfig): string[] {
  const mine = leaves(run);
  return [...leaves(reference)].filter(([k, v]) => mine.get(k) !== v).map(([k]) => k);
}

const roundDown = (x: number) => Math.floor(x * 10 ** REFERENCE_DECIMALS) / 10 ** REFERENCE_DECIMALS;
const roundUp = (x: number) => Math.ceil(x * 10 ** REFERENCE_DECIMALS) / 10 ** REFERENCE_DECIMALS;
const round = (x: number) => Math.round(x * 10 ** REFERENCE_DECIMALS) / 10 ** REFERENCE_DECIMALS;

/**
 * The reference of preset `id` from its runs' documents (every seed of every run): the documents of one label
 * must record one config and one list of evaluations, and every label the same seeds.
 */
export function deriveReference(id: string, docs: readonly ResultsDoc[]): Reference {
  if (docs.length === 0) throw new ReferenceFileError(`${id}: no results documents`);
  const labels = [...new Set(docs.map((d) => d.label))];
  const seedsOf = (label: string) =>
    docs
      .filter((d) => d.label === label)
      .map((d) => d.seed)
      .sort((a, b) => a - b);
  const seeds = seedsOf(labels[0]);
  const runs = labels.map((label): ReferenceRun => {
    const of = docs.filter((d) => d.label === label);
    if (JSON.stringify(seedsOf(label)) !== JSON.stringify(seeds))
      throw new ReferenceFileError(`${id}: run '${label}' has seeds ${seedsOf(label)}, not ${seeds}`);
    const config = recordedConfig(of[0]);
    for (const d of of) {
      const diff = configDiff(config, recordedConfig(d));
      if (diff.length) throw new ReferenceFileError(`${id}: seeds of '${label}' differ in ${diff.join(', ')}`);
    }
    const variants = of[0].lossVsLength.map((v, i) => {
      const name = i === 0 ? null : variantName(label, i, v).slice(label.length + 3);
      const points = v.lengths.map((l): [number, number, number, number, number] => {
        const xs = of.map((d) => {
          const x = d.lossVsLength[i]?.lengths.find((y) => y.length === l.length)?.meanLoss;
          if (x === undefined)
            throw new ReferenceFileError(`${id}: '${label}' seed ${d.seed} lacks length ${l.length}`);
          return x;
        });
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        return [l.factor, l.length, roundDown(Math.min(...xs)), round(mean), roundUp(Math.max(...xs))];
      });
      return { name, points };
    });
    return { label, config, variants };
  });
  const a = docs[0].adapter;
  return {
    schema: REFERENCE_SCHEMA,
    version: REFERENCE_VERSION,
    preset: id,
    seeds,
    adapter: [a.vendor, a.architecture, a.description].filter(Boolean).join(' '),
    engineVersion: docs[0].engineVersion,
    runs,
  };
}

/** Reads a reference back from its JSON text; the error names the first bad field. */
export function parseReference(text: string): Reference {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ReferenceFileError(`reference file is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = referenceSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ReferenceFileError(`reference field '${issue.path.join('.') || '(root)'}' is invalid: ${issue.message}`);
  }
  return r.data;
}

/** A reference file's bytes as text: gzip (checked by its magic bytes: a server may already have inflated it). */
export async function decodeReference(bytes: Uint8Array): Promise<Reference> {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = gzipped
    ? await new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
    : new TextDecoder().decode(bytes);
  return parseReference(text);
}

/** How a finished run relates to the references the lab has loaded. */
export type ReferenceMatch =
  | { kind: 'match'; preset: string; seeds: number[]; run: ReferenceRun }
  /** A run of a preset (by its experiment and label) whose config is not the preset's: no band, and why. */
  | { kind: 'differs'; preset: string; label: string; fields: string[]; reference: RecordedConfig };

/**
 * The reference run `doc` is a run of (its recorded config equals the reference run's), searched in `refs` in
 * order; else, when `preset` names a loaded reference with a run of the document's label, why it is not that run.
 */
export function matchReference(
  doc: ResultsDoc,
  refs: readonly Reference[],
  preset: string | null = null,
  label = doc.label,
): ReferenceMatch | null {
  const mine = recordedConfig(doc);
  for (const ref of refs)
    for (const run of ref.runs)
      if (configDiff(run.config, mine).length === 0)
        return { kind: 'match', preset: ref.preset, seeds: ref.seeds, run };
  const run = refs.find((r) => r.preset === preset)?.runs.find((r) => r.label === label);
  return run
    ? { kind: 'differs', preset: preset!, label, fields: configDiff(run.config, mine), reference: run.config }
    : null;
}

export interface BandCheck {
  /** 'T' for the training length (the first evaluated length), else the factor's label, e.g. '16x'. */
  at: string;
  factor: number;
  loss: number;
  lo: number;
  hi: number;
  /** Where the loss lies against the band: inside counts both ends. */
  where: 'inside' | 'below' | 'above';
}

/** The run's own loss at T and at the longest length (16x for the presets) against its reference band. */
export function checkBand(doc: ResultsDoc, run: ReferenceRun): BandCheck[] {
  const own = doc.lossVsLength[0];
  const band = run.variants[0]?.points ?? [];
  if (!own || band.length === 0) return [];
  const first = band[0];
  const last = band[band.length - 1];
  return (last === first ? [first] : [first, last]).flatMap(([factor, length, lo, , hi], k) => {
    const loss = own.lengths.find((l) => l.length === length)?.meanLoss;
    if (loss === undefined) return [];
    const where = loss < lo ? 'below' : loss > hi ? 'above' : 'inside';
    return [{ at: k === 0 ? 'T' : `${factor}x`, factor, loss, lo, hi, where }];
  });
}

const seedsText = (s: readonly number[]) =>
  s.length > 1 && s.every((x, i) => i === 0 || x === s[i - 1] + 1)
    ? `seeds ${s[0]}-${s.at(-1)}`
    : `seeds ${s.join(', ')}`;

/** Fields that set a run's training budget: a run differing only in these is "not the preset's budget". */
const BUDGET_FIELDS = new Set(['train.steps', 'train.warmupSteps']);

/** The queue's line names this many differing fields (a quick try of a preset changes a dozen). */
const MAX_NAMED_FIELDS = 4;

/** One line for the run queue: where the run lands against its reference band, or why it has none. */
export function describeMatch(doc: ResultsDoc, m: ReferenceMatch): string {
  if (m.kind === 'differs') {
    if (m.fields.length && m.fields.every((f) => BUDGET_FIELDS.has(f)))
      return (
        `No reference band: not the preset's budget (${String(m.reference.train.steps)} steps in the reference, ` +
        `${String((doc.train as Record<string, unknown>).steps)} here)`
      );
    const more = m.fields.length > MAX_NAMED_FIELDS ? ` and ${m.fields.length - MAX_NAMED_FIELDS} more` : '';
    const named = m.fields.slice(0, MAX_NAMED_FIELDS).join(', ');
    return `No reference band: not the preset's config (differs in ${named}${more})`;
  }
  const checks = checkBand(doc, m.run).map(
    (c) => `at ${c.at} ${c.loss.toFixed(3)} ${c.where} ${c.lo.toFixed(3)}-${c.hi.toFixed(3)}`,
  );
  return `Reference (${seedsText(m.seeds)}): ${checks.join('; ')}`;
}
