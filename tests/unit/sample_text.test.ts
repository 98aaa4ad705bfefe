// `--sample`'s flags and its printed block (runner/sample_text.ts), without a
// browser: defaults, refusals, and the columns side by side.
import { expect, test } from 'vitest';
import { parseArgv, UsageError } from '../../runner/args';
import { formatSamples, sampleRequestOf } from '../../runner/sample_text';
import { DEFAULT_SAMPLE, type SampleResult } from '../../src/sample/request';

const flags = (...a: string[]) => parseArgv(['--preset', 'extrapolation', ...a]);

test('the flags read into one request: defaults, then each flag', () => {
  expect(sampleRequestOf(flags())).toBeNull();
  expect(sampleRequestOf(flags('--sample'))).toEqual(DEFAULT_SAMPLE);
  const r = sampleRequestOf(
    flags('--sample', '--sample-context', '1,16', '--sample-chars', '9', '--temperature', '0', '--top-k', '3'),
  );
  expect(r).toEqual({ ...DEFAULT_SAMPLE, contexts: [1, 16], chars: 9, temperature: 0, topK: 3 });
  expect(sampleRequestOf(flags('--sample', '--prompt', 'It was'))?.prompt).toBe('It was');
  expect(sampleRequestOf(flags('--sample', '--sample-mode', 'grow'))?.context).toBe('grow');
  expect(sampleRequestOf(flags('--sample', '--sample-mode', 'slide'))?.context).toBe('slide');
  expect(() => sampleRequestOf(flags('--sample', '--sample-mode', 'up'))).toThrow(
    '--sample: the sampling context is slide or grow, got up',
  );
  for (const bad of [
    ['--prompt', 'x'],
    ['--sample-mode', 'grow'],
    ['--sample', '--sample-context', '1,2.5'],
    ['--sample', '--sample-chars', '0'],
    ['--sample', '--temperature', '-1'],
    ['--sample', '--sample-seed', 'one'],
  ])
    expect(() => sampleRequestOf(flags(...bad)), bad.join(' ')).toThrow(UsageError);
});

test('a block: the prompt once, then each context length and the true text side by side', () => {
  const r: SampleResult = {
    request: { ...DEFAULT_SAMPLE, contexts: [1, 16], chars: 30 },
    trainLength: 8,
    blocks: [
      { factor: 1, length: 8, prompt: 'the cat ', continuation: 'sat on\nthe mat and then it ran', seconds: 2 },
      { factor: 16, length: 128, prompt: 'x'.repeat(100), continuation: 'oooooooooooooooooooooooooooooo', seconds: 60 },
    ],
    truth: 'sat on the mat, and it was warm',
    unknownChars: 0,
  };
  const lines = formatSamples('run 1/2 softmax', r, 50).split('\n');
  expect(lines[0]).toBe('── run 1/2 softmax: temperature 0.8, top-k all, seed 1, 30 characters, the context slides');
  expect(lines[1]).toContain('the last 100 characters');
  // Columns of (50 - 2 separators) / 3 = 14 characters; headings cut to fit.
  expect(lines[3]).toBe('1x T = 8 (15 c │ 16x T = 128 (0 │ the passage go');
  const body = lines.slice(5).map((l) => l.split(' │ '));
  // Each text read back whole from its column, its newline shown as ⏎.
  expect(
    body
      .map((c) => c[0])
      .join('')
      .replace(/ +$/, ''),
  ).toBe('sat on⏎the mat and then it ran');
  expect(
    body
      .map((c) => c[1])
      .join('')
      .trimEnd(),
  ).toBe('o'.repeat(30));
  expect(body.map((c) => c[2]).join('')).toBe('sat on the mat, and it was warm');
});

test('a growing context: the header says so, and the next line whether the cache was used', () => {
  const r: SampleResult = {
    request: { ...DEFAULT_SAMPLE, contexts: [1], chars: 4, context: 'grow' },
    trainLength: 8,
    blocks: [{ factor: 1, length: 8, prompt: 'the cat ', continuation: 'sat.', seconds: 1, path: 'grow-cache' }],
    unknownChars: 0,
    incremental: 'grow mode uses the key/value cache: each character runs only its own row',
  };
  const lines = formatSamples('run 1/1 softmax', r, 80).split('\n');
  expect(lines[0]).toMatch(/4 characters, the context grows from the prompt$/);
  expect(lines[3]).toBe(r.incremental);
});
