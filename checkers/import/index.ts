import { detectFormat } from './detect.js';
import { parseEdn } from './edn.js';
import type { HistoryFormat, ImportedHistory } from './imported.js';
import { parseJepsenLog } from './jepsen-log.js';
import { parseJsonl } from './jsonl.js';

export { ParseError } from './errors.js';
export { FORMATS, type HistoryFormat, type ImportedHistory } from './imported.js';
export { detectFormat, parseEdn, parseJepsenLog, parseJsonl };

/** Reads a history in the given format, or the format its content suggests. Throws `ParseError`. */
export function parseHistory(text: string, format?: HistoryFormat): ImportedHistory {
  switch (format ?? detectFormat(text)) {
    case 'jsonl':
      return parseJsonl(text);
    case 'edn':
      return parseEdn(text);
    case 'jepsen-log':
      return parseJepsenLog(text);
  }
}
