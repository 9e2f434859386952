import { ParseError } from '../../core/errors.js';
import type { HistoryFormat } from './imported.js';
import type { Line } from '../../core/lines.js';

const JEPSEN_OP = /jepsen\.util(\s+-|:)\s+\S+\s+:(invoke|ok|fail|info)\b/;

/** How many lines the format is guessed from. */
export const DETECT_LINES = 1000;

/**
 * Guesses a history's format from its first lines (DETECT_LINES of them): a first line that is a
 * JSON object is jsonl, one that opens an EDN form (or is an EDN comment) is edn, and a file
 * with `jepsen.util` op lines among its first lines is a Jepsen log.
 */
export function detectFormat(input: string | readonly Line[]): HistoryFormat {
  const lines = typeof input === 'string' ? input.split('\n', DETECT_LINES).map((text, i) => ({ text, line: i + 1 })) : input;
  const first = lines.find((l) => l.text.trim() !== '');
  if (first === undefined) throw new ParseError('the file is empty: no history', 1);
  const text = first.text.trim();
  if (JEPSEN_OP.test(text)) return 'jepsen-log';
  if (/^\{\s*"/.test(text) || text === '{') return 'jsonl';
  if (/^[[({#;]/.test(text)) return 'edn';
  if (lines.some((l) => JEPSEN_OP.test(l.text))) return 'jepsen-log';
  throw new ParseError('cannot tell the format (jsonl, edn or jepsen-log); give --format', first.line);
}
