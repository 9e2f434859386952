import { ParseError } from './errors.js';
import type { HistoryFormat } from './imported.js';

const JEPSEN_OP = /jepsen\.util(\s+-|:)\s+\S+\s+:(invoke|ok|fail|info)\b/;

/**
 * Guesses a history's format from its content: a first line that is a JSON object is jsonl, one
 * that opens an EDN form (or is an EDN comment) is edn, and a file with `jepsen.util` op lines
 * among its first thousand lines is a Jepsen log.
 */
export function detectFormat(text: string): HistoryFormat {
  const lines = text.split('\n', 1000);
  const first = lines.find((l) => l.trim() !== '')?.trim();
  if (first === undefined) throw new ParseError('the file is empty: no history', 1);
  if (JEPSEN_OP.test(first)) return 'jepsen-log';
  if (/^\{\s*"/.test(first) || first === '{') return 'jsonl';
  if (/^[[({#;]/.test(first)) return 'edn';
  if (lines.some((l) => JEPSEN_OP.test(l))) return 'jepsen-log';
  throw new ParseError('cannot tell the format (jsonl, edn or jepsen-log); give --format', lines.indexOf(lines.find((l) => l.trim() !== '')!) + 1);
}
