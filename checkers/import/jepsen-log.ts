import type { Op, OpType } from '../../core/op.js';
import { parseEdnValue, type EdnForm } from './edn-reader.js';
import { ParseError } from '../../core/errors.js';
import { processId, type ImportedHistory } from './imported.js';
import { textLines, type Line } from '../../core/lines.js';

const OP_LINE = /(?:^|\s)jepsen\.util(?:\s+-|:)\s+(\S+)\s+:(invoke|ok|fail|info)\s+:?(\S+)(?:\s+(.*?))?\s*$/;
const OTHER_LOG_LINE = /^.{0,60}?\b(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\b/;

/**
 * Jepsen's log lines, as porcupine reads them: `INFO  jepsen.util - 3 :invoke :cas [1 4]`
 * (anything may come before `jepsen.util`, e.g. a timestamp; later Jepsen versions write
 * `... [jepsen worker 3] jepsen.util: 3 :invoke :cas [1 4]`, also read). Values are EDN
 * (edn-reader.ts); a value that does not parse is an error with its line, never nil. Lines of
 * other loggers and blank lines are skipped; any other line is an error.
 *
 * Semantics (the etcd histories porcupine ships): `:ok :read nil` read an absent value;
 * `:fail :cas [a b]` ran and returned false (an `ok` completion with value false); a `:fail`
 * whose value is a keyword (`:fail :read :timed-out`) and `:info` are indeterminate; any other
 * `:fail` did not happen. A completion's keyword value is its error, not a result.
 */
export function parseJepsenLog(input: string | Iterable<Line>): ImportedHistory {
  const ops: Op[] = [];
  const lines: number[] = [];
  for (const { text: raw, line } of typeof input === 'string' ? textLines(input) : input) {
    if (raw.trim() === '') continue;
    const m = OP_LINE.exec(raw);
    if (!m) {
      if (OTHER_LOG_LINE.test(raw) && !/jepsen\.util(\s+-|:)\s/.test(raw)) continue;
      throw new ParseError('not a jepsen.util op line ("INFO jepsen.util - PROCESS :TYPE :F VALUE")', line);
    }
    const [, proc, typeText, f, valueText] = m as unknown as [string, string, OpType, string, string | undefined];
    const form: Omit<EdnForm, 'line'> = valueText === undefined || valueText === '' ? { value: null } : (simpleValue(valueText) ?? logValue(valueText, line));
    let value: unknown = form.value;
    let type: OpType = typeText;
    let error: string | undefined;
    if (form.keyword !== undefined) {
      error = form.keyword;
      value = undefined;
    }
    if (type === 'fail') {
      if (error !== undefined) type = 'info';
      else if (f === 'cas') {
        type = 'ok';
        value = false;
      }
    }
    const op: Op = { index: ops.length, time: ops.length, process: processId(proc, line), type, f };
    if (value !== undefined) op.value = value;
    if (error !== undefined) op.error = error;
    ops.push(op);
    lines.push(line);
  }
  // an indeterminate completion carries its invoke's value, so the op reads whole
  const invokes = new Map<unknown, Op>();
  for (const op of ops) {
    if (op.type === 'invoke') invokes.set(op.process, op);
    else if (op.value === undefined && op.type !== 'ok') {
      const inv = invokes.get(op.process);
      if (inv && 'value' in inv) op.value = inv.value;
    }
  }
  return { format: 'jepsen-log', ops, lines };
}

const INT = /^-?\d{1,15}$/;
const INT_PAIR = /^\[\s*(-?\d{1,15})[\s,]+(-?\d{1,15})\s*\]$/;
const KEYWORD = /^:[\w.-]+$/;

/** The common values of these logs without the general EDN reader (nil, integers of at most 15
 *  digits, [a b] of those, keywords); undefined for anything else. */
function simpleValue(text: string): Omit<EdnForm, 'line'> | undefined {
  if (text === 'nil') return { value: null };
  if (INT.test(text)) return { value: Number(text) };
  if (KEYWORD.test(text)) return { value: text.slice(1), keyword: text.slice(1) };
  const pair = INT_PAIR.exec(text);
  if (pair) return { value: [Number(pair[1]), Number(pair[2])] };
  return undefined;
}

function logValue(text: string, line: number): EdnForm {
  try {
    return parseEdnValue(text);
  } catch (err) {
    const shownText = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    throw new ParseError(`the value "${shownText}" is not one EDN value: ${(err as Error).message}`, line);
  }
}
