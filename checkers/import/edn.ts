import { stringifyJson } from '../../core/json.js';
import type { Op } from '../../core/op.js';
import { EdnReader, type EdnForm } from './edn-reader.js';
import { ParseError } from '../../core/errors.js';
import { opType, processId, shown, type ImportedHistory } from './imported.js';
import { textLines, type Line } from '../../core/lines.js';

/**
 * Jepsen/knossos EDN histories: one vector (or list) of op maps, or op maps one after another
 * (typically one per line). Read as a stream (edn-reader.ts): each op and each error has a line.
 *
 * Semantics (Jepsen's): `:fail` ops did not happen; `:info` ops and invokes without a completion
 * are indeterminate; an `:ok` read (`:read` or `:get`) whose value is nil constrains nothing, so
 * it becomes an `info` completion. Processes that are not integers (`:nemesis`) are not clients.
 */
export function parseEdn(input: string | Iterable<Line>): ImportedHistory {
  const ops: Op[] = [];
  const lines: number[] = [];
  const reader = new EdnReader((form) => {
    ops.push(toOp(form, ops.length));
    lines.push(form.line);
  }, true);
  let last = 0;
  for (const { text, line } of typeof input === 'string' ? textLines(input) : input) {
    reader.feed(text, line);
    last = line;
  }
  reader.end(last);
  return { format: 'edn', ops, lines };
}

function toOp({ value: o, line }: EdnForm, index: number): Op {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new ParseError(`expected an op map like {:process 0, :type :invoke, :f :read}, got ${shown(o)}`, line);
  }
  const m = o as Record<string, unknown>;
  if (typeof m['f'] !== 'string') throw new ParseError('op has no :f', line);
  let type = opType(m['type'], line);
  const f = m['f'];
  if (type === 'ok' && (f === 'read' || f === 'get') && (m['value'] === null || m['value'] === undefined)) type = 'info';
  const op: Op = {
    index,
    time: typeof m['time'] === 'number' ? m['time'] : index,
    process: processId(m['process'], line),
    type,
    f,
  };
  if (m['key'] !== undefined && m['key'] !== null) op.key = typeof m['key'] === 'string' ? m['key'] : (stringifyJson(m['key']) ?? String(m['key']));
  if ('value' in m) op.value = m['value'];
  if (m['error'] !== undefined && m['error'] !== null) op.error = typeof m['error'] === 'string' ? m['error'] : (stringifyJson(m['error']) ?? String(m['error']));
  if (typeof m['node'] === 'string') op.node = m['node'];
  return op;
}
