/**
 * Jepsen's set checker over a key-value API: each element is added once (`f: "add"`, a key of its
 * own written once with the element as value), and the final phase reads every element's key on
 * every node. Overwrites cannot hide a divergent replica here: nothing is written twice.
 *
 * - `lost`: an element whose add was acknowledged (`ok`) reads as absent in a read that began
 *   after the add completed; one anomaly per element, naming every node that lacks it;
 * - `unexpected`: an element read as present although its add certainly did not happen (`fail`),
 *   or read with a value its add never wrote.
 *
 * An add that ended `info` may or may not have happened: present is `recovered`, absent is fine;
 * both are only counted. Elements are the keys that have an `add` call; other keys are ignored.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { AnomalyList } from '../common/anomalies.js';
import { callOps, pairCalls, type Call } from '../common/calls.js';
import { describeCall, formatCounts, formatValue, opIndexes } from '../common/describe.js';
import { z } from 'zod';
import { checkerOptions, maxAnomalies } from '../common/options.js';

/** The `set` checker's options. */
export const setOptions = z.strictObject({ maxAnomalies });
export type SetCheckOptions = z.input<typeof setOptions>;

interface Element {
  add: Call;
  /** ok reads of its key. */
  reads: Call[];
}

const absent = (v: unknown): boolean => v === null || v === undefined;
const where = (c: Call): string => c.completion?.node ?? c.invoke.node ?? '?';

export function checkSetHistory(history: readonly Op[], options: SetCheckOptions = {}): CheckResult {
  const found = new AnomalyList(checkerOptions('set', setOptions, options).maxAnomalies);
  const { calls } = pairCalls(history);
  const elements = new Map<string, Element>();
  for (const c of calls) if (c.f === 'add' && c.key !== undefined && !elements.has(c.key)) elements.set(c.key, { add: c, reads: [] });
  for (const c of calls) {
    if (c.f !== 'read' || c.status !== 'ok' || c.key === undefined) continue;
    elements.get(c.key)?.reads.push(c);
  }
  const counts = { ok: 0, info: 0, fail: 0, pending: 0 };
  let read = 0;
  let recovered = 0;
  let unread = 0;
  for (const [key, { add, reads }] of elements) {
    counts[add.status]++;
    if (reads.length === 0) {
      if (add.status === 'ok') unread++;
      continue;
    }
    read++;
    const present = reads.filter((r) => !absent(r.output));
    const wrong = present.filter((r) => !isDeepStrictEqual(r.output, add.input));
    if (add.status === 'ok') {
      const missing = reads.filter((r) => absent(r.output) && r.start > add.end);
      if (missing.length > 0) {
        found.add({
          kind: 'lost',
          key,
          explanation: `element ${formatValue(add.input)} (key ${key}) was added, ${describeCall(add)}, but reads as absent on ${[...new Set(missing.map(where))].join(', ')}: ${missing.map((r) => describeCall(r)).join('; ')}.`,
          ops: opIndexes(callOps(add), ...missing.map(callOps)),
        });
      }
    }
    if (add.status === 'fail' && present.length > 0) {
      found.add({
        kind: 'unexpected',
        key,
        explanation: `element ${formatValue(add.input)} (key ${key}) was never added (${describeCall(add)} failed) but reads as present on ${[...new Set(present.map(where))].join(', ')}: ${present.map((r) => describeCall(r)).join('; ')}.`,
        ops: opIndexes(callOps(add), ...present.map(callOps)),
      });
    } else if (wrong.length > 0) {
      found.add({
        kind: 'unexpected',
        key,
        explanation: `element ${formatValue(add.input)} (key ${key}, ${describeCall(add)}) reads as another value: ${wrong.map((r) => `${describeCall(r)} -> ${formatValue(r.output)}`).join('; ')}.`,
        ops: opIndexes(callOps(add), ...wrong.map(callOps)),
      });
    } else if (add.status !== 'ok' && add.status !== 'fail' && present.length > 0) {
      recovered++;
    }
  }
  const details = { elements: elements.size, adds: counts, read, unread, recovered, lost: found.count('lost'), unexpected: found.count('unexpected'), truncated: found.truncated() };
  if (elements.size === 0 || read === 0) {
    const why = elements.size === 0 ? 'no element was added' : 'no element was read back (no final reads)';
    return { checker: 'set', valid: 'unknown', summary: `not checked: ${why}`, anomalies: [], details };
  }
  const anomalies = found.list();
  const tail = `${recovered ? `; ${recovered} unknown add(s) present` : ''}${unread ? `; ${unread} acknowledged element(s) never read` : ''}`;
  return {
    checker: 'set',
    valid: anomalies.length === 0,
    summary: `${elements.size} elements added (${formatCounts(counts)}), ${read} read back: ${anomalies.length ? formatCounts({ lost: found.count('lost'), unexpected: found.count('unexpected') }) : 'none lost, none unexpected'}${tail}`,
    anomalies,
    details,
  };
}
