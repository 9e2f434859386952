/**
 * Well-formedness of a history (not its correctness): dense indexes, non-decreasing times, and
 * for each client process an `invoke` followed by exactly one completion; nemesis ops paired
 * invoke/info. Returns the problems found, empty when the history is well formed.
 */
import type { Op } from '../../core/op.js';

export function historyProblems(ops: readonly Op[]): string[] {
  const problems: string[] = [];
  const open = new Map<string, Op>();
  let lastTime = -1;
  ops.forEach((op, i) => {
    if (op.index !== i) problems.push(`line ${i + 1}: index ${op.index}, expected ${i}`);
    if (!Number.isInteger(op.time) || op.time < lastTime) problems.push(`op ${op.index}: time ${op.time} goes back (previous ${lastTime})`);
    lastTime = op.time;
    if (op.process === 'monitor') {
      if (op.type !== 'info' || (op.f !== 'status' && op.f !== 'digest') || !op.node) problems.push(`op ${op.index}: a monitor op is one info "status" or "digest" op with a node`);
      return;
    }
    const key = op.process === 'nemesis' ? `nemesis` : `p${op.process}`;
    const pending = open.get(key);
    if (op.type === 'invoke') {
      if (pending) problems.push(`op ${op.index}: process ${op.process} invokes while op ${pending.index} is open`);
      open.set(key, op);
      return;
    }
    if (!pending) problems.push(`op ${op.index}: ${op.type} of process ${op.process} without an invoke`);
    else if (pending.f !== op.f) problems.push(`op ${op.index}: completes ${op.f} but op ${pending.index} invoked ${pending.f}`);
    if (op.process === 'nemesis' && op.type !== 'info') problems.push(`op ${op.index}: nemesis completions are info`);
    open.delete(key);
  });
  return problems;
}
