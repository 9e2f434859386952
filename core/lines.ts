import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { ParseError } from './errors.js';

/** One line of a history file, without its line break; `line` is 1-based. */
export interface Line {
  text: string;
  line: number;
}

/** The longest line a history may have (a longer one is refused, as is binary data). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

const CHUNK_BYTES = 1024 * 1024;

/**
 * The lines of a file, read as a stream (a chunk at a time, never the whole file): a history of
 * any size costs the memory of its longest line. A NUL byte (binary data, `/dev/zero`) or a line
 * longer than MAX_LINE_CHARS is a `ParseError` with its line. A UTF-8 BOM and CRs before line
 * breaks are dropped. Errors opening or reading the file are thrown as they come (ENOENT...).
 */
export function* fileLines(path: string): Generator<Line> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    let carry = '';
    let line = 1;
    let first = true;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      let text = n === 0 ? decoder.end() : decoder.write(buffer.subarray(0, n));
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const piece = text.slice(start, nl);
        yield checked(carry === '' ? piece : carry + piece, line++);
        carry = '';
        start = nl + 1;
      }
      carry += text.slice(start);
      if (carry.length > MAX_LINE_CHARS) throw new ParseError(`line longer than ${MAX_LINE_CHARS / 1024 / 1024} MiB: not a history`, line);
      if (carry.includes('\0')) checked(carry, line);
      if (n === 0) break;
    }
    if (carry !== '') yield checked(carry, line);
  } finally {
    closeSync(fd);
  }
}

/** The lines of a text already in memory, as `fileLines` gives them. */
export function* textLines(text: string): Generator<Line> {
  let line = 1;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
    yield checked(text.slice(start, nl), line++);
    start = nl + 1;
  }
  if (start < text.length) yield checked(text.slice(start), line);
}

function checked(text: string, line: number): Line {
  if (text.includes('\0')) throw new ParseError('binary data (a NUL byte): not a history file', line);
  return { text: text.endsWith('\r') ? text.slice(0, -1) : text, line };
}
