import { expect, test } from 'vitest';
import { DataError, decodeUserFile } from '../../src/data/corpus';

test('user files: UTF-8 text is read, bad encodings and binary files are named', () => {
  const enc = new TextEncoder();
  expect(decodeUserFile(enc.encode('héllo wörld'))).toBe('héllo wörld');
  expect(decodeUserFile(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe('a'); // BOM dropped
  const latin1 = Uint8Array.of(0x61, 0x62, 0xe9, 0x63); // "abéc" in Latin-1
  expect(() => decodeUserFile(latin1, 'notes.txt')).toThrow(DataError);
  expect(() => decodeUserFile(latin1, 'notes.txt')).toThrow(/notes.txt is not UTF-8 text \(invalid byte at offset 2\)/);
  expect(() => decodeUserFile(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toThrow(/not UTF-8/);
  expect(() => decodeUserFile(enc.encode('ab\u0000cd'))).toThrow(/looks binary \(a NUL character at position 2\)/);
});
