import { parseHistory } from '../../core/history.js';
import type { Line } from '../../core/lines.js';
import type { ImportedHistory } from './imported.js';

/** faultline's own history.jsonl, read by core/history.ts (the one reader). */
export function parseJsonl(input: string | Iterable<Line>): ImportedHistory {
  const { ops, lines } = parseHistory(input);
  return { format: 'jsonl', ops, lines };
}
