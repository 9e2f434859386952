/**
 * The reference the search is tested against: linearizability by definition, with nothing
 * clever. Every order of the whole history's operations (all keys at once, no partitions, no
 * reductions, no cache) that respects real time is tried; an indeterminate op may be left out.
 * Its own sequential semantics of register, cas-register and kv, written from docs/check.md and
 * independent of models/. Exponential: for histories of about ten operations.
 */
import type { Op } from '../../../core/op.js';
import type { Validity } from '../../../core/result.js';
import type { GeneratedModel } from './generate.js';

interface BruteOp {
  f: string;
  key: string;
  value: unknown;
  /** undefined: indeterminate (info or no completion). */
  output?: { value: unknown };
  call: number;
  ret: number;
}

/** Pairs invokes and completions by process; fail ops go, info ops and lone invokes are indeterminate. */
function pair(history: readonly Op[]): BruteOp[] {
  const open = new Map<number, BruteOp>();
  const ops: BruteOp[] = [];
  history.forEach((op, t) => {
    if (typeof op.process !== 'number') return;
    if (op.type === 'invoke') {
      const o: BruteOp = { f: op.f, key: op.key ?? '', value: op.value, call: t, ret: Infinity };
      open.set(op.process, o);
      ops.push(o);
      return;
    }
    const o = open.get(op.process);
    if (!o) throw new Error(`process ${op.process} completes without an invoke`);
    open.delete(op.process);
    if (op.type === 'fail') ops.splice(ops.indexOf(o), 1);
    else if (op.type === 'ok') {
      o.output = { value: op.value };
      o.ret = t;
    }
  });
  return ops;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Applies `op` to `values` (key -> value; absent keys missing). Returns false if `op`'s output
 *  is impossible there; otherwise mutates `values` and returns true. */
function apply(model: GeneratedModel, values: Map<string, unknown>, op: BruteOp): boolean {
  const now = values.has(op.key) ? values.get(op.key) : undefined;
  const absent = now === undefined;
  switch (op.f) {
    case 'read':
    case 'get': {
      if (!op.output) return true;
      const seen = op.output.value;
      if (absent) return seen === null || (model === 'kv' && seen === '');
      return same(seen, now);
    }
    case 'write':
    case 'put':
      values.set(op.key, op.value);
      return true;
    case 'delete':
      values.delete(op.key);
      return true;
    case 'append':
      values.set(op.key, (absent ? '' : typeof now === 'string' ? now : String(now)) + String(op.value));
      return true;
    case 'cas': {
      const [expected, next] = op.value as [unknown, unknown];
      const matches = absent ? expected === null : same(now, expected);
      if (op.output && op.output.value === false) return !matches;
      if (!matches) return !op.output; // an indeterminate cas that did not match changed nothing
      values.set(op.key, next);
      return true;
    }
    default:
      throw new Error(`brute force knows no "${op.f}"`);
  }
}

/** Whether `history` is linearizable for `model`, every key starting at `initial` (null: absent). */
export function bruteForceLinearizable(model: GeneratedModel, history: readonly Op[], initial: unknown = null): boolean {
  const ops = pair(history);
  const done = new Array<boolean>(ops.length).fill(false);
  const keys = new Set(ops.map((o) => o.key));
  const start = new Map<string, unknown>();
  if (initial !== null) for (const k of keys) start.set(k, initial);
  const search = (values: Map<string, unknown>): boolean => {
    let deadline = Infinity; // the earliest return among definite ops not yet placed
    let left = 0;
    ops.forEach((o, i) => {
      if (!done[i] && o.output) {
        left++;
        deadline = Math.min(deadline, o.ret);
      }
    });
    if (left === 0) return true;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i]!;
      if (done[i] || o.call > deadline) continue;
      const next = new Map(values);
      if (!apply(model, next, o)) continue;
      done[i] = true;
      const found = search(next);
      done[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search(start);
}

/** The verdict faultline gives a history: `unknown` when no client operation completed ok (there
 *  is nothing to judge), else whether it is linearizable. */
export function bruteForceVerdict(model: GeneratedModel, history: readonly Op[], initial: unknown = null): Validity {
  return history.some((o) => typeof o.process === 'number' && o.type === 'ok') ? bruteForceLinearizable(model, history, initial) : 'unknown';
}
