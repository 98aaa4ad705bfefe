// `--sample` on the command line: the flags read into one sampling request
// (src/sample/request.ts), and a run's continuations printed as one block,
// the context lengths side by side in columns (and, for a validation prompt,
// what the passage really says next in the last column).
import { ConfigError } from '../src/errors';
import {
  checkSampleRequest,
  DEFAULT_SAMPLE,
  type SampleRequest,
  type SampleResult,
  sampleContext,
} from '../src/sample/request';
import { type Flags, SAMPLE_FLAGS, UsageError } from './args';

const flagName = (n: string) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function num(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`${flag} '${v.slice(0, 20)}' is not a number`);
  return x;
}

/** The sampling request the flags ask for, or null without --sample. Bad values are UsageErrors. */
export function sampleRequestOf(o: Flags): SampleRequest | null {
  if (!o.sample) {
    const stray = SAMPLE_FLAGS.find((n) => o[n] !== undefined);
    if (stray) throw new UsageError(`${flagName(stray)} needs --sample`);
    return null;
  }
  const contexts =
    o.sampleContext === undefined
      ? DEFAULT_SAMPLE.contexts
      : o.sampleContext.split(',').map((f) => num('--sample-context', f, NaN));
  const req: SampleRequest = {
    contexts,
    chars: num('--sample-chars', o.sampleChars, DEFAULT_SAMPLE.chars),
    temperature: num('--temperature', o.temperature, DEFAULT_SAMPLE.temperature),
    topK: num('--top-k', o.topK, DEFAULT_SAMPLE.topK),
    seed: num('--sample-seed', o.sampleSeed, DEFAULT_SAMPLE.seed),
    // checkSampleRequest names the modes when this is neither.
    context: (o.sampleMode ?? DEFAULT_SAMPLE.context) as SampleRequest['context'],
    ...(o.prompt === undefined ? {} : { prompt: o.prompt }),
  };
  try {
    checkSampleRequest(req);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`--sample: ${e.message}`);
    throw e;
  }
  return req;
}

/** Text as one line of visible characters: a newline shows as ⏎, a tab as a space. */
const visible = (s: string) => s.replace(/\r?\n/g, '⏎').replace(/\t/g, ' ');

function wrap(s: string, w: number): string[] {
  const chars = [...visible(s)];
  const lines: string[] = [];
  for (let i = 0; i < chars.length; i += w) lines.push(chars.slice(i, i + w).join(''));
  return lines.length ? lines : [''];
}

/** Two significant digits below 10 (a 16x context on a software adapter samples about one character a second). */
const rate = (x: number) => (x < 10 ? x.toFixed(1) : String(Math.round(x)));

const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - [...s].length));

/** One run's continuations: a header, the prompt's end, then the context lengths side by side. */
export function formatSamples(name: string, r: SampleResult, width = 120): string {
  const q = r.request;
  const grow = sampleContext(q) === 'grow';
  const how =
    `temperature ${q.temperature}${q.temperature === 0 ? ' (greedy)' : ''}, ` +
    `top-k ${q.topK || 'all'}, seed ${q.seed}, ${q.chars} characters, ` +
    (grow ? 'the context grows from the prompt' : 'the context slides');
  const longest = r.blocks.reduce((a, b) => (b.prompt.length > a.length ? b.prompt : a), '');
  const tail = longest.slice(-Math.min(longest.length, width - 40));
  const source = q.prompt === undefined ? 'a validation passage' : 'your prompt';
  const unknown = r.unknownChars ? ` (${r.unknownChars} characters outside the vocabulary read as unknown)` : '';
  const cols = r.blocks.map((b) => ({
    head: `${b.factor}x T = ${b.length} (${rate(q.chars / Math.max(b.seconds, 1e-9))} chars/s)`,
    text: b.continuation,
  }));
  if (r.truth !== undefined) cols.push({ head: 'the passage goes on', text: r.truth });
  const w = Math.max(12, Math.floor((width - 3 * (cols.length - 1)) / cols.length));
  const wrapped = cols.map((c) => wrap(c.text, w));
  const rows = Math.max(...wrapped.map((l) => l.length));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? pad(c, w) : c)).join(' │ ');
  const out = [
    `── ${name}: ${how}`,
    `prompt: ${source}${unknown}, the last ${[...longest].length} characters at the longest; it ends`,
    `  …${visible(tail)}`,
    ...(grow && r.incremental ? [r.incremental] : []),
    line(cols.map((c) => c.head.slice(0, w))),
    line(cols.map(() => '─'.repeat(w))),
  ];
  for (let i = 0; i < rows; i++) out.push(line(wrapped.map((l) => l[i] ?? '')));
  return out.join('\n');
}
