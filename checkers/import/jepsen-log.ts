import type { Op, OpType } from '../history.js';
import { isKeyword, parseEdnValue } from './edn-values.js';
import { ParseError } from './errors.js';
import { processId, type ImportedHistory } from './imported.js';

const OP_LINE = /(?:^|\s)jepsen\.util(?:\s+-|:)\s+(\S+)\s+:(invoke|ok|fail|info)\s+:?(\S+)(?:\s+(.*?))?\s*$/;
const OTHER_LOG_LINE = /^.{0,60}?\b(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\b/;

/**
 * Jepsen's log lines, as porcupine reads them: `INFO  jepsen.util - 3 :invoke :cas [1 4]`
 * (anything may come before `jepsen.util`, e.g. a timestamp; later Jepsen versions write
 * `... [jepsen worker 3] jepsen.util: 3 :invoke :cas [1 4]`, also read). Values are EDN (parsed with edn-data). Lines of other
 * loggers and blank lines are skipped; any other line is an error.
 *
 * Semantics (the etcd histories porcupine ships): `:ok :read nil` read an absent value;
 * `:fail :cas [a b]` ran and returned false (an `ok` completion with value false); a `:fail`
 * whose value is a keyword (`:fail :read :timed-out`) and `:info` are indeterminate; any other
 * `:fail` did not happen. A completion's keyword value is its error, not a result.
 */
export function parseJepsenLog(text: string): ImportedHistory {
  const ops: Op[] = [];
  const lines: number[] = [];
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const raw = all[i]!;
    const line = i + 1;
    if (raw.trim() === '') continue;
    const m = OP_LINE.exec(raw);
    if (!m) {
      if (OTHER_LOG_LINE.test(raw) && !/jepsen\.util(\s+-|:)\s/.test(raw)) continue;
      throw new ParseError('not a jepsen.util op line ("INFO jepsen.util - PROCESS :TYPE :F VALUE")', line);
    }
    const [, proc, typeText, f, valueText] = m as unknown as [string, string, OpType, string, string | undefined];
    let value: unknown;
    try {
      value = valueText === undefined || valueText === '' ? null : simpleValue(valueText);
      if (value === undefined) value = parseEdnValue(valueText!, true);
    } catch (err) {
      throw new ParseError(`malformed EDN value "${valueText}": ${(err as Error).message}`, line);
    }
    let type: OpType = typeText;
    let error: string | undefined;
    if (isKeyword(value)) {
      error = value.keyword;
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

/** The common values of these logs without the general EDN parser (nil, integers, [a b],
 *  keywords); undefined for anything else. */
function simpleValue(text: string): unknown {
  if (text === 'nil') return null;
  if (INT.test(text)) return Number(text);
  if (KEYWORD.test(text)) return { keyword: text.slice(1) };
  const pair = INT_PAIR.exec(text);
  if (pair) return [Number(pair[1]), Number(pair[2])];
  return undefined;
}
