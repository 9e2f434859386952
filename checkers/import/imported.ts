import { opType, shown } from '../../core/history.js';
import type { Op, ProcessId } from '../../core/op.js';
import { ParseError } from '../../core/errors.js';

export { opType, shown };

export type HistoryFormat = 'jsonl' | 'edn' | 'jepsen-log';
export const FORMATS: readonly HistoryFormat[] = ['jsonl', 'edn', 'jepsen-log'];

/** Ops read from a file, with the (1-based) line each op came from. `ops[i].index === i` for
 *  imported formats; faultline's own history keeps its indexes. */
export interface ImportedHistory {
  format: HistoryFormat;
  ops: Op[];
  lines: number[];
}

/** Client processes are integers; anything else (nemesis, monitor, named processes) is not a client. */
export function processId(v: unknown, line: number): ProcessId {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    if (Number.isSafeInteger(Number(v))) return Number(v);
    throw new ParseError(`process ${shown(v)} is beyond 2^53`, line);
  }
  if (typeof v === 'string' && v.length > 0) return v === 'monitor' ? 'monitor' : 'nemesis';
  throw new ParseError(`process must be an integer or a name, got ${shown(v)}`, line);
}
