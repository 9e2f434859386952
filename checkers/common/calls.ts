/**
 * Pairs each client `invoke` with its completion (the next `ok`/`fail`/`info` of the same process).
 * Checkers reason about calls, not loose ops.
 */
import type { Op } from '../../core/op.js';

export type CallStatus = 'ok' | 'fail' | 'info' | 'pending';

export interface Call {
  process: number;
  f: string;
  key?: string;
  invoke: Op;
  /** Absent when the history ended before the call completed. */
  completion?: Op;
  status: CallStatus;
  /** The invoke's value (the argument). */
  input: unknown;
  /** The completion's value (the result); undefined when there is none. */
  output: unknown;
  /** Invoke time, ns. */
  start: number;
  /** Completion time, ns; Infinity when pending. For `info` this is when the client gave up,
   *  not when the op took effect: use `effectEnd` to reason about effects. */
  end: number;
}

/** Until when the call may have taken effect: its completion for ok/fail, forever for info/pending. */
export function effectEnd(call: Call): number {
  return call.status === 'ok' || call.status === 'fail' ? call.end : Infinity;
}

/** History indexes of a call's ops (invoke and completion when present). */
export function callOps(call: Call): number[] {
  return call.completion ? [call.invoke.index, call.completion.index] : [call.invoke.index];
}

export interface PairedHistory {
  /** Client calls in invoke order. */
  calls: Call[];
  /** Completions with no pending invoke, and invokes replaced by a second invoke: kept for reports. */
  orphans: Op[];
}

/** Pairs client ops; ignores nemesis and monitor ops. Lenient: malformed parts go to `orphans`. */
export function pairCalls(history: readonly Op[]): PairedHistory {
  const calls: Call[] = [];
  const orphans: Op[] = [];
  const open = new Map<number, Call>();
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const previous = open.get(op.process);
      if (previous) orphans.push(previous.invoke);
      const call: Call = {
        process: op.process,
        f: op.f,
        invoke: op,
        status: 'pending',
        input: op.value,
        output: undefined,
        start: op.time,
        end: Infinity,
      };
      if (op.key !== undefined) call.key = op.key;
      calls.push(call);
      open.set(op.process, call);
      continue;
    }
    const call = open.get(op.process);
    if (!call || call.f !== op.f) {
      orphans.push(op);
      continue;
    }
    open.delete(op.process);
    call.completion = op;
    call.status = op.type;
    call.output = op.value;
    call.end = op.time;
  }
  // A process whose second invoke replaced an open call leaves that call pending.
  return { calls, orphans };
}

/** Appends to the list under `key`, creating it. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, item: V): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
