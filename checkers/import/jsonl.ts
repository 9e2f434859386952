import type { Op } from '../history.js';
import { ParseError } from './errors.js';
import { opType, type ImportedHistory } from './imported.js';

/** faultline's own history.jsonl: one JSON op per line (checkers/history.ts). Blank lines are skipped. */
export function parseJsonl(text: string): ImportedHistory {
  const ops: Op[] = [];
  const lines: number[] = [];
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const raw = all[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (err) {
      throw new ParseError(`not JSON: ${(err as Error).message}`, line);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ParseError('expected a JSON object (an op)', line);
    const o = v as Record<string, unknown>;
    if (typeof o['f'] !== 'string') throw new ParseError('op has no "f" (string)', line);
    const op: Op = {
      index: typeof o['index'] === 'number' ? o['index'] : ops.length,
      time: typeof o['time'] === 'number' ? o['time'] : ops.length,
      process: jsonProcess(o['process'], line),
      type: opType(o['type'], line),
      f: o['f'],
    };
    if (o['key'] !== undefined && o['key'] !== null) op.key = String(o['key']);
    if ('value' in o) op.value = o['value'];
    if (typeof o['node'] === 'string') op.node = o['node'];
    if (typeof o['error'] === 'string') op.error = o['error'];
    ops.push(op);
    lines.push(line);
  }
  return { format: 'jsonl', ops, lines };
}

/** faultline's contract: clients are integers, the others "nemesis" or "monitor". */
function jsonProcess(v: unknown, line: number): Op['process'] {
  if (v === 'nemesis' || v === 'monitor') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new ParseError(`process must be an integer, "nemesis" or "monitor", got ${JSON.stringify(v) ?? String(v)}`, line);
}
