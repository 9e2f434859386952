import { DETECT_LINES, detectFormat } from './detect.js';
import { parseEdn } from './edn.js';
import type { HistoryFormat, ImportedHistory } from './imported.js';
import { parseJepsenLog } from './jepsen-log.js';
import { parseJsonl } from './jsonl.js';
import { fileLines, textLines, type Line } from '../../core/lines.js';

export { parseEdnValue } from './edn-reader.js';
export { ParseError } from '../../core/errors.js';
export { FORMATS, type HistoryFormat, type ImportedHistory } from './imported.js';
export { fileLines, MAX_LINE_CHARS, textLines, type Line } from '../../core/lines.js';
export { detectFormat, parseEdn, parseJepsenLog, parseJsonl };

/** Reads a history in the given format, or the format its content suggests. Throws `ParseError`. */
export function parseHistory(text: string, format?: HistoryFormat): ImportedHistory {
  return parseLines(textLines(text), format);
}

/**
 * Reads a history file as a stream (a chunk at a time: memory is that of the ops, not of the
 * text), in the given format or the one its first lines suggest. Throws `ParseError`, and the
 * file system's errors (ENOENT, EISDIR...) as they come.
 */
export function readHistoryFile(path: string, format?: HistoryFormat): ImportedHistory {
  return parseLines(fileLines(path), format);
}

function parseLines(lines: Generator<Line>, format: HistoryFormat | undefined): ImportedHistory {
  try {
    const head: Line[] = [];
    while (format === undefined && head.length < DETECT_LINES) {
      const r = lines.next();
      if (r.done) break;
      head.push(r.value);
    }
    const all = chain(head, lines);
    switch (format ?? detectFormat(head)) {
      case 'jsonl':
        return parseJsonl(all);
      case 'edn':
        return parseEdn(all);
      case 'jepsen-log':
        return parseJepsenLog(all);
    }
  } finally {
    lines.return(undefined); // closes the file when parsing stopped early
  }
}

function* chain(head: readonly Line[], rest: Generator<Line>): Generator<Line> {
  yield* head;
  yield* rest;
}
