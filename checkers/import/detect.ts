import { ParseError } from './errors.js';
import type { HistoryFormat } from './imported.js';

/** Guesses a history's format from its first meaningful lines. */
export function detectFormat(text: string): HistoryFormat {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length && seen < 20; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith(';')) continue;
    seen++;
    if (/jepsen\.util(\s+-|:)\s/.test(l)) return 'jepsen-log';
    if (seen === 1) {
      if (l.startsWith('{"') || l.startsWith('{ "') || l === '{') {
        if (l === '{' || /^\{\s*"/.test(l)) return 'jsonl';
      }
      if (/^[[({#]/.test(l)) return 'edn';
    }
  }
  if (seen === 0) throw new ParseError('the file is empty: no history', 1);
  throw new ParseError('cannot tell the format (jsonl, edn or jepsen-log); give --format', 1);
}
