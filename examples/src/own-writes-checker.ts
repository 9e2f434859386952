/**
 * A checker of our own for the own-writes workload: a process's read of its own key returns the
 * last value that process wrote and saw acknowledged (nobody else writes that key, and a process
 * whose write ended unknown is retired, so there is exactly one right answer).
 */
import { defineChecker, type Anomaly, type Op } from 'faultline';

export const readsOwnWrites = defineChecker({
  name: 'reads-own-writes',
  description: 'each process reads back the last value it wrote to its own key',
  check(history: readonly Op[]) {
    const last = new Map<number, unknown>();
    const pending = new Map<number, Op>();
    const anomalies: Anomaly[] = [];
    let reads = 0;
    for (const op of history) {
      if (typeof op.process !== 'number' || op.key !== `p${op.process}`) continue;
      if (op.type === 'invoke') {
        pending.set(op.process, op);
        continue;
      }
      const invoke = pending.get(op.process);
      pending.delete(op.process);
      if (!invoke || op.type !== 'ok') continue;
      if (op.f === 'write') last.set(op.process, invoke.value);
      if (op.f === 'read') {
        reads++;
        const want = last.get(op.process) ?? null;
        if (op.value !== want) {
          anomalies.push({
            kind: 'lost-own-write',
            explanation: `process ${op.process} read ${JSON.stringify(op.value)} from ${op.key}, but its last acknowledged write was ${JSON.stringify(want)}`,
            ops: [invoke.index, op.index],
            key: op.key,
          });
        }
      }
    }
    return {
      checker: 'reads-own-writes',
      valid: anomalies.length === 0,
      summary: `${reads} reads of own keys, ${anomalies.length} wrong`,
      anomalies,
    };
  },
});
