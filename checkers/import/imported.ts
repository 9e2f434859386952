import type { Op, OpType, ProcessId } from '../history.js';
import { ParseError } from './errors.js';

export type HistoryFormat = 'jsonl' | 'edn' | 'jepsen-log';
export const FORMATS: readonly HistoryFormat[] = ['jsonl', 'edn', 'jepsen-log'];

/** Ops read from a file, with the (1-based) line each op came from. `ops[i].index === i` for
 *  imported formats; faultline's own history keeps its indexes. */
export interface ImportedHistory {
  format: HistoryFormat;
  ops: Op[];
  lines: number[];
}

const TYPES: readonly string[] = ['invoke', 'ok', 'fail', 'info'];

export function opType(v: unknown, line: number): OpType {
  if (typeof v === 'string' && TYPES.includes(v)) return v as OpType;
  throw new ParseError(`type must be one of invoke, ok, fail, info, got ${JSON.stringify(v) ?? String(v)}`, line);
}

/** Client processes are integers; anything else (nemesis, monitor, named processes) is not a client. */
export function processId(v: unknown, line: number): ProcessId {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  if (typeof v === 'string' && v.length > 0) return v === 'monitor' ? 'monitor' : 'nemesis';
  throw new ParseError(`process must be an integer or a name, got ${JSON.stringify(v) ?? String(v)}`, line);
}
