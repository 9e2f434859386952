import type { Op } from '../../core/op.js';
import type { OpInput, Operation } from './model.js';

/** A history the checker cannot read: `index` is the offending op's `index` (-1: none). */
export class HistoryError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
    this.name = 'HistoryError';
  }
}

/**
 * Pairs each client's invoke with its completion (Jepsen semantics):
 * - `ok`: the operation happened, `output` is the completion's value;
 * - `fail`: it did not happen, it is left out;
 * - `info`, or an invoke with no completion (also one followed by the same process's next
 *   invoke): indeterminate, it may have happened at any point after its call, or never.
 * Ops of processes that are not numbers (nemesis, monitor) are ignored. Time is the position in
 * the array (a recorded history is in real-time order).
 */
export function toOperations(history: readonly Op[]): Operation<OpInput, unknown>[] {
  const operations: Operation<OpInput, unknown>[] = [];
  const pending = new Map<number, { op: Op; position: number }>();
  const indeterminate = (p: { op: Op; position: number }, completion?: Op, completionPosition = 0): void => {
    operations.push(operation(p.op.process as number, inputOf(p.op, completion), undefined, p.position, Infinity, true, p.op.index ?? p.position, completion ? (completion.index ?? completionPosition) : undefined));
  };
  for (let position = 0; position < history.length; position++) {
    const op = history[position]!;
    if (typeof op.process !== 'number') continue;
    const previous = pending.get(op.process);
    if (op.type === 'invoke') {
      if (previous) indeterminate(previous);
      pending.set(op.process, { op, position });
      continue;
    }
    if (!previous) {
      throw new HistoryError(`process ${op.process} completes "${op.f}" (${op.type}) without an invoke`, op.index ?? position);
    }
    if (previous.op.f !== op.f) {
      throw new HistoryError(
        `process ${op.process} invoked "${previous.op.f}" but the completion is "${op.f}"`,
        op.index ?? position,
      );
    }
    pending.delete(op.process);
    if (op.type === 'fail') continue;
    if (op.type === 'info') {
      indeterminate(previous, op, position);
      continue;
    }
    if (op.type !== 'ok') throw new HistoryError(`unknown op type "${String(op.type)}"`, op.index ?? position);
    operations.push(operation(op.process, inputOf(previous.op, op), op.value, previous.position, position, false, previous.op.index ?? previous.position, op.index ?? position));
  }
  for (const p of pending.values()) indeterminate(p);
  operations.sort((a, b) => a.call - b.call);
  operations.forEach((o, i) => (o.id = i));
  return operations;
}

/** Every operation, and every input, is made by one object literal (`completeIndex` and `key`
 *  undefined when there is none): the search's code then sees one shape of each, and the JIT's
 *  code for it is not thrown away when a history brings another. */
function operation(client: number, input: OpInput, output: unknown, call: number, ret: number, indeterminate: boolean, invokeIndex: number, completeIndex: number | undefined): Operation<OpInput, unknown> {
  return { id: 0, client, input, output, call, ret, indeterminate, invokeIndex, completeIndex };
}

function inputOf(invoke: Op, completion: Op | undefined): OpInput {
  return { f: invoke.f, key: invoke.key ?? completion?.key, value: invoke.value };
}
