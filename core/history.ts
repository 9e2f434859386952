/**
 * The one reader of history.jsonl (one op per line, core/op.ts). Every part of faultline that
 * reads faultline's own history (`faultline check`, the re-check of a run folder, the report)
 * reads it here. Integers are exact (a bigint beyond 2^53); values nest at most
 * MAX_VALUE_DEPTH deep; a file is read as a stream of lines.
 */
import { existsSync } from 'node:fs';
import { ParseError } from './errors.js';
import { parseJsonExact, stringifyJson } from './json.js';
import { fileLines, textLines, type Line } from './lines.js';
import type { Op, OpType } from './op.js';

export const OP_TYPES: readonly OpType[] = ['invoke', 'ok', 'fail', 'info'];

export interface ParsedHistory {
  ops: Op[];
  /** The 1-based line each op came from. */
  lines: number[];
  /** Lines that were not ops and were skipped (with `bad: 'skip'`, or a torn last line). */
  skipped: number;
}

export interface ReadHistoryOptions {
  /** What a line that is not an op does: `throw` a ParseError (the default) or is `skip`ped. */
  bad?: 'throw' | 'skip';
  /** Skip a last line that is not an op (a run killed in the middle of writing it). */
  tornTail?: boolean;
}

/** Parses history.jsonl, given as text or as lines. Blank lines are skipped; `index` and `time`
 *  default to the op's position (histories from elsewhere may lack them). */
export function parseHistory(input: string | Iterable<Line>, options: ReadHistoryOptions = {}): ParsedHistory {
  const ops: Op[] = [];
  const lines: number[] = [];
  let skipped = 0;
  // A bad line is held until the next line shows it was not the last (for tornTail).
  let held: ParseError | undefined;
  try {
    for (const { text, line } of typeof input === 'string' ? textLines(input) : input) {
      if (text.trim() === '') continue;
      if (held) throw held;
      try {
        ops.push(jsonOp(text, line, ops.length));
        lines.push(line);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        if (options.bad === 'skip') skipped++;
        else if (options.tornTail) held = err;
        else throw err;
      }
    }
  } catch (err) {
    // With `skip`, binary data or an endless line ends the ops: the rest of the file is not ops.
    if (!(err instanceof ParseError) || options.bad !== 'skip') throw err;
    skipped++;
  }
  if (held) skipped++;
  return { ops, lines, skipped };
}

/** Reads a history file as a stream; a missing file is an empty history. A line that is not an
 *  op is a ParseError naming `file:line` (unless `bad: 'skip'`). */
export function readHistoryJsonl(file: string, options: ReadHistoryOptions = {}): ParsedHistory {
  if (!existsSync(file)) return { ops: [], lines: [], skipped: 0 };
  try {
    return parseHistory(fileLines(file), options);
  } catch (err) {
    if (err instanceof ParseError) throw new ParseError(`${file}:${err.line}: ${err.message}`, err.line);
    throw err;
  }
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
  const time = o['time'];
  const op: Op = {
    index: typeof o['index'] === 'number' ? o['index'] : position,
    time: typeof time === 'number' && Number.isFinite(time) ? time : position,
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

export function opType(v: unknown, line: number): OpType {
  if (typeof v === 'string' && (OP_TYPES as readonly string[]).includes(v)) return v as OpType;
  throw new ParseError(`type must be one of ${OP_TYPES.join(', ')}, got ${shown(v)}`, line);
}

/** A value in an error message: its JSON, cut at 60 characters. */
export function shown(v: unknown): string {
  const s = stringifyJson(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** faultline's contract: clients are integers, the others "nemesis" or "monitor". */
function jsonProcess(v: unknown, line: number): Op['process'] {
  if (v === 'nemesis' || v === 'monitor') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new ParseError(`process must be an integer, "nemesis" or "monitor", got ${shown(v)}`, line);
}

/** The ops of a run's history.jsonl; a torn last line (a run killed mid-write) is skipped. */
export function readRunHistory(file: string): Op[] {
  return readHistoryJsonl(file, { tornTail: true }).ops;
}
