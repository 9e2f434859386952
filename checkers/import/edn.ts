import { EDNListParser } from 'edn-data/dist/parse.js';
import type { Op } from '../history.js';
import { EDN_OPTIONS, plain } from './edn-values.js';
import { ParseError } from './errors.js';
import { opType, processId, type ImportedHistory } from './imported.js';

/**
 * Jepsen/knossos EDN histories: one vector (or list) of op maps, or op maps one after another
 * (typically one per line). Parsed with edn-data, fed line by line so every op and every error
 * has a line number.
 *
 * Semantics (Jepsen's): `:fail` ops did not happen; `:info` ops and invokes without a completion
 * are indeterminate; an `:ok` read (`:read` or `:get`) whose value is nil constrains nothing, so
 * it becomes an `info` completion. Processes that are not integers (`:nemesis`) are not clients.
 */
export function parseEdn(text: string): ImportedHistory {
  const parser = new EDNListParser(EDN_OPTIONS);
  parser.next('(');
  const stack = (): unknown[][] => parser.stack as unknown[][];
  const all = text.split('\n');
  const forms: { value: unknown; line: number }[] = [];
  let collection: unknown[] | undefined; // the elements of a top-level vector or list
  let collectionLine = 0;
  const collectionLines: number[] = [];
  let openSince = 0;
  const depthOfElements = (): number => (collection ? 2 : 1);
  for (let i = 0; i <= all.length; i++) {
    const line = Math.min(i + 1, all.length);
    const chunk = i < all.length ? all[i]! + '\n' : ' ';
    const openBefore = stack().length >= depthOfElements();
    const countBefore = collection ? collection.length : 0;
    let values: unknown[];
    try {
      values = parser.next(chunk);
    } catch (err) {
      throw new ParseError(`malformed EDN: ${(err as Error).message}`, line);
    }
    if (parser.isDone()) throw new ParseError('malformed EDN: unbalanced ")"', line);
    for (const v of values) {
      if (v === undefined) continue;
      forms.push({ value: v, line: openBefore && !collection ? openSince : line });
    }
    if (!collection && forms.length === 0 && stack().length >= 1) {
      const [kind, elements] = stack()[0] as [number, unknown[]];
      if ((kind === 0 || kind === 1) && Array.isArray(elements)) {
        collection = elements;
        collectionLine = line;
      }
    }
    if (collection) {
      for (let k = countBefore; k < collection.length; k++) {
        collectionLines.push(k === countBefore && openBefore ? openSince : line);
      }
    }
    if (stack().length >= depthOfElements()) {
      if (!openBefore || (collection ? collection.length !== countBefore : values.length > 0)) openSince = line;
    }
  }
  if (stack().length > 0 || (parser as unknown as { mode: number }).mode !== 0) {
    throw new ParseError('malformed EDN: a form is not closed at the end of the file', collection ? collectionLine : openSince || all.length);
  }
  let maps: { value: unknown; line: number }[];
  if (forms.length === 1 && Array.isArray(forms[0]!.value)) {
    const elements = forms[0]!.value as unknown[];
    maps = elements.map((value, k) => ({ value, line: collectionLines[k] ?? forms[0]!.line }));
  } else {
    const nested = forms.find((f) => Array.isArray(f.value));
    if (nested) throw new ParseError('expected op maps, found a vector among them', nested.line);
    maps = forms;
  }
  const ops: Op[] = [];
  const lines: number[] = [];
  for (const { value, line } of maps) {
    ops.push(toOp(value, ops.length, line));
    lines.push(line);
  }
  return { format: 'edn', ops, lines };
}

function toOp(tagged: unknown, index: number, line: number): Op {
  // records such as #jepsen.history.Op{...} are tagged maps
  const raw = isTagged(tagged) ? tagged.val : tagged;
  if (!(raw instanceof Map)) throw new ParseError(`expected an op map like {:process 0, :type :invoke, :f :read}, got ${describe(raw)}`, line);
  const o = plain(raw) as Record<string, unknown>;
  if (typeof o['f'] !== 'string') throw new ParseError('op has no :f', line);
  let type = opType(o['type'], line);
  const f = o['f'];
  if (type === 'ok' && (f === 'read' || f === 'get') && (o['value'] === null || o['value'] === undefined)) type = 'info';
  const op: Op = {
    index,
    time: typeof o['time'] === 'number' ? o['time'] : index,
    process: processId(o['process'], line),
    type,
    f,
  };
  if (o['key'] !== undefined && o['key'] !== null) op.key = typeof o['key'] === 'string' ? o['key'] : JSON.stringify(o['key']);
  if ('value' in o) op.value = o['value'];
  if (o['error'] !== undefined && o['error'] !== null) op.error = typeof o['error'] === 'string' ? o['error'] : JSON.stringify(o['error']);
  if (typeof o['node'] === 'string') op.node = o['node'];
  return op;
}

function describe(v: unknown): string {
  const p = plain(v);
  const s = typeof p === 'bigint' ? String(p) : JSON.stringify(p);
  return s === undefined ? String(p) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isTagged(v: unknown): v is { tag: string; val: unknown } {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && 'tag' in v && 'val' in v;
}
