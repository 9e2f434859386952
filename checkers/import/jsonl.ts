import { parseJsonExact, stringifyJson } from '../common/json.js';
import type { Op } from '../history.js';
import { ParseError } from './errors.js';
import { opType, type ImportedHistory } from './imported.js';
import { textLines, type Line } from './lines.js';

/** faultline's own history.jsonl: one JSON op per line (checkers/history.ts). Blank lines are
 *  skipped. Integers are exact (a bigint beyond 2^53); values nest at most MAX_VALUE_DEPTH deep. */
export function parseJsonl(input: string | Iterable<Line>): ImportedHistory {
  const ops: Op[] = [];
  const lines: number[] = [];
  for (const { text, line } of typeof input === 'string' ? textLines(input) : input) {
    if (text.trim() === '') continue;
    ops.push(jsonOp(text, line, ops.length));
    lines.push(line);
  }
  return { format: 'jsonl', ops, lines };
}

/** One line of history.jsonl as an op (`position`: its place among the ops, the index when it
 *  has none). Throws ParseError. */
export function jsonOp(text: string, line: number, position: number): Op {
  let v: unknown;
  try {
    v = parseJsonExact(text);
  } catch (err) {
    throw new ParseError(err instanceof RangeError ? err.message : `not JSON: ${(err as Error).message}`, line);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ParseError('expected a JSON object (an op)', line);
  const o = v as Record<string, unknown>;
  if (typeof o['f'] !== 'string') throw new ParseError('op has no "f" (string)', line);
  const op: Op = {
    index: typeof o['index'] === 'number' ? o['index'] : position,
    time: typeof o['time'] === 'number' ? o['time'] : position,
    process: jsonProcess(o['process'], line),
    type: opType(o['type'], line),
    f: o['f'],
  };
  if (o['key'] !== undefined && o['key'] !== null) op.key = typeof o['key'] === 'string' ? o['key'] : (stringifyJson(o['key']) ?? String(o['key']));
  if ('value' in o) op.value = o['value'];
  if (typeof o['node'] === 'string') op.node = o['node'];
  if (typeof o['error'] === 'string') op.error = o['error'];
  return op;
}

/** faultline's contract: clients are integers, the others "nemesis" or "monitor". */
function jsonProcess(v: unknown, line: number): Op['process'] {
  if (v === 'nemesis' || v === 'monitor') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new ParseError(`process must be an integer, "nemesis" or "monitor", got ${stringifyJson(v) ?? String(v)}`, line);
}
