/**
 * The queue checker: Jepsen's total-queue, adapted to at-least-once delivery with leases.
 * - lost: an acknowledged enqueue whose payload nobody completed (an ok `complete`, or the drain);
 * - duplicated: a payload dequeued more than once (allowed under at-least-once unless
 *   `allowDuplicates: false`);
 * - unexpected: a payload dequeued that was never enqueued (or whose enqueue failed);
 * - resurrected: a payload delivered again (dequeue or drain) by a call that began after a
 *   completion of it was acknowledged: at-least-once allows redelivery before the ack, never after;
 * - stuck: the final `stats` still counts tasks `processing` after the drain;
 * - undrained: the final `stats` still counts tasks `pending` after the drain (then tasks not
 *   completed may still be in the queue: they are listed, not called lost).
 * Every process may drain in the final phase: tasks in any drain (even one cut short, `info`)
 * were completed; the final drain is the last `ok` one to end.
 * Indeterminate enqueues (info) may or may not be there: never lost, never unexpected.
 */
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { stringifyJson } from '../../core/json.js';
import { AnomalyList } from '../common/anomalies.js';
import { callOps, pairCalls, type Call } from '../common/calls.js';
import { describeCall, formatCounts, formatTime, formatValue, opIndexes } from '../common/describe.js';
import { z } from 'zod';
import { checkerOptions, maxAnomalies } from '../common/options.js';

/** The `queue` checker's options. */
export const queueOptions = z.strictObject({
  /** Dequeuing one payload twice is fine under at-least-once delivery. Default true. */
  allowDuplicates: z.boolean().default(true),
  /** Most anomalies kept per kind (all are counted). Default 100. */
  maxAnomalies,
});
export type QueueCheckOptions = z.input<typeof queueOptions>;

interface Task {
  taskId?: unknown;
  payload: string;
}

/** A payload identifies a task: unique strings by contract; other JSON values by their text. */
function payloadKey(payload: unknown): string {
  return typeof payload === 'string' ? payload : (stringifyJson(payload) ?? String(payload));
}

function asTask(value: unknown): Task | undefined {
  if (value && typeof value === 'object' && 'payload' in value) {
    const v = value as { taskId?: unknown; payload: unknown };
    return { taskId: v.taskId, payload: payloadKey(v.payload) };
  }
  return undefined;
}

interface Delivery {
  /** The dequeue call, or the drain call for a drained task. */
  call: Call;
  viaDrain: boolean;
}

interface PayloadFacts {
  enqueues: Call[];
  deliveries: Delivery[];
  completes: Call[];
  abandons: Call[];
}

export function checkQueueHistory(history: readonly Op[], options: QueueCheckOptions = {}): CheckResult {
  const { allowDuplicates, maxAnomalies } = checkerOptions('queue', queueOptions, options);
  const anomalies = new AnomalyList(maxAnomalies);

  const { calls } = pairCalls(history);
  const facts = new Map<string, PayloadFacts>();
  const factsOf = (payload: string): PayloadFacts => {
    let f = facts.get(payload);
    if (!f) facts.set(payload, (f = { enqueues: [], deliveries: [], completes: [], abandons: [] }));
    return f;
  };

  let drain: Call | undefined;
  const statsCalls: Call[] = [];
  let emptyDequeues = 0;
  for (const call of calls) {
    switch (call.f) {
      case 'enqueue':
        if (call.input !== undefined) factsOf(payloadKey(call.input)).enqueues.push(call);
        break;
      case 'dequeue': {
        if (call.status !== 'ok') break;
        const task = asTask(call.output);
        if (task) factsOf(task.payload).deliveries.push({ call, viaDrain: false });
        else emptyDequeues++;
        break;
      }
      case 'complete':
      case 'abandon': {
        const task = asTask(call.input);
        if (!task) break;
        const f = factsOf(task.payload);
        (call.f === 'complete' ? f.completes : f.abandons).push(call);
        break;
      }
      case 'drain':
        if (!Array.isArray(call.output)) break;
        if (call.status === 'ok' && (!drain || call.end > drain.end)) drain = call;
        for (const item of call.output) {
          const task = asTask(item);
          if (task) factsOf(task.payload).deliveries.push({ call, viaDrain: true });
        }
        break;
      case 'stats':
        if (call.status === 'ok') statsCalls.push(call);
        break;
    }
  }

  // The final stats: the last taken after the final drain ended.
  const finalStats = drain
    ? [...statsCalls].sort((a, b) => a.end - b.end).reverse().find((c) => c.start >= (drain as Call).end)
    : undefined;
  const stats = finalStats?.output as { pending?: unknown; processing?: unknown; completed?: unknown; failed?: unknown } | undefined;
  const pendingAfter = stats && typeof stats.pending === 'number' ? stats.pending : 0;
  const processingAfter = stats && typeof stats.processing === 'number' ? stats.processing : 0;

  const counts = { enqueued: 0, indeterminateEnqueues: 0, failedEnqueues: 0, dequeued: 0, completed: 0, drained: 0, lost: 0, duplicated: 0, unexpected: 0, resurrected: 0, stuck: 0, undrained: 0, unconfirmedCompletions: 0 };
  const notCompleted: string[] = [];
  const drainedPayloads = new Set<string>();
  for (const [payload, f] of facts) {
    const okEnqueue = f.enqueues.find((c) => c.status === 'ok');
    const maybeEnqueued = f.enqueues.some((c) => c.status !== 'fail');
    if (okEnqueue) counts.enqueued++;
    else if (maybeEnqueued) counts.indeterminateEnqueues++;
    else if (f.enqueues.length) counts.failedEnqueues++;
    if (f.deliveries.length) counts.dequeued++;
    const okComplete = f.completes.some((c) => c.status === 'ok');
    const inDrain = f.deliveries.some((d) => d.viaDrain);
    if (inDrain) {
      counts.drained++;
      drainedPayloads.add(payload);
    }
    if (okComplete || inDrain) counts.completed++;

    if (f.deliveries.length && !maybeEnqueued) {
      counts.unexpected++;
      const why = f.enqueues.length
        ? `its enqueue failed: ${f.enqueues.map((c) => describeCall(c)).join('; ')}`
        : 'no process ever enqueued it';
      anomalies.add({
        kind: 'unexpected',
        explanation: `Payload ${formatValue(payload)} was dequeued but ${why}. Dequeued by: ${f.deliveries.map(describeDelivery).join('; ')}.`,
        ops: opIndexes(...f.enqueues.map(callOps), ...f.deliveries.map((d) => callOps(d.call))),
      });
    }

    // The first acknowledged completion: from its end on, the task is done for good.
    const ack = f.completes.filter((c) => c.status === 'ok').sort((x, y) => x.end - y.end)[0];
    const after = ack ? f.deliveries.filter((d) => d.call.start > ack.end) : [];
    if (ack && after.length) {
      counts.resurrected++;
      anomalies.add({
        kind: 'resurrected',
        explanation:
          `Payload ${formatValue(payload)} was completed and the completion acknowledged (${describeCall(ack, 'complete')}), ` +
          `then delivered again by ${after.map(describeDelivery).join('; ')}, which began after that ack. At-least-once allows a redelivery ` +
          `before the completion is acknowledged, never after: the queue forgot a completion it had confirmed.`,
        ops: opIndexes(callOps(ack), ...after.map((d) => callOps(d.call))),
      });
    }

    if (f.deliveries.length > 1) {
      counts.duplicated++;
      const completedTimes = f.completes.filter((c) => c.status === 'ok').length + (inDrain ? 1 : 0);
      anomalies.add({
        kind: 'duplicated',
        explanation:
          `${allowDuplicates ? '(Allowed under at-least-once.) ' : ''}Payload ${formatValue(payload)} was dequeued ${f.deliveries.length} times: ` +
          `${f.deliveries.map(describeDelivery).join('; ')}; completed ${completedTimes} time(s)` +
          `${f.abandons.length ? `, abandoned ${f.abandons.length} time(s)` : ''}` +
          `${f.completes.some((c) => c.status === 'fail') ? `, ${f.completes.filter((c) => c.status === 'fail').length} complete(s) refused (lease lost)` : ''}.`,
        ops: opIndexes(...f.deliveries.map((d) => callOps(d.call)), ...f.completes.map(callOps), ...f.abandons.map(callOps)),
      });
    }

    if (okEnqueue && drain && !okComplete && !inDrain) {
      const maybeCompleted = f.completes.filter((c) => c.status === 'info' || c.status === 'pending');
      if (maybeCompleted.length) {
        counts.unconfirmedCompletions++; // a complete that timed out may have worked: not lost
        continue;
      }
      if (pendingAfter > 0) {
        notCompleted.push(payload); // may be one of the tasks still pending
        continue;
      }
      counts.lost++;
      const history = f.deliveries.length
        ? `dequeued by ${f.deliveries.map(describeDelivery).join('; ')}` +
          `${f.abandons.length ? `; abandoned by ${f.abandons.map((c) => describeCall(c, 'abandon')).join('; ')}` : ''}` +
          `${f.completes.length ? `; complete refused: ${f.completes.map((c) => describeCall(c, 'complete')).join('; ')}` : ''}` +
          `, but never completed`
        : 'never dequeued';
      anomalies.add({
        kind: 'lost',
        explanation:
          `Enqueue of ${formatValue(payload)} was acknowledged (${describeCall(okEnqueue)}${taskIdText(okEnqueue.output)}) ` +
          `but the task was ${history} and is in no drain (the final drain: op #${drain.completion?.index ?? drain.invoke.index}, ${formatTime(drain.end)}).`,
        ops: opIndexes(callOps(okEnqueue), ...f.deliveries.map((d) => callOps(d.call)), ...f.completes.map(callOps), ...f.abandons.map(callOps), callOps(drain)),
      });
    }
  }
  const drainText = drain ? `the final drain (op #${drain.completion?.index ?? drain.invoke.index}, ${formatTime(drain.end)})` : '';
  if (finalStats && drain && processingAfter > 0) {
    counts.stuck = processingAfter;
    anomalies.add({
      kind: 'stuck',
      explanation:
        `After ${drainText} the final stats (${describeCall(finalStats, 'stats')}) still count ${processingAfter} task(s) processing: ` +
        `${formatValue(stats)}. A task whose worker died or whose completion was lost is never handed out again.`,
      ops: opIndexes(callOps(drain), callOps(finalStats)),
    });
  }
  if (finalStats && drain && pendingAfter > 0) {
    counts.undrained = pendingAfter;
    anomalies.add({
      kind: 'undrained',
      explanation:
        `After ${drainText} the final stats (${describeCall(finalStats, 'stats')}) still count ${pendingAfter} task(s) pending: ` +
        `${formatValue(stats)}: the queue did not hand them out. ${notCompleted.length} acknowledged task(s) were never completed and may be among them` +
        `${notCompleted.length ? ` (${notCompleted.slice(0, 10).map((p) => formatValue(p)).join(', ')}${notCompleted.length > 10 ? ', …' : ''})` : ''}.`,
      ops: opIndexes(callOps(drain), callOps(finalStats)),
    });
  }

  let valid: CheckResult['valid'] = true;
  if (counts.lost || counts.unexpected || counts.resurrected || counts.stuck || counts.undrained || (!allowDuplicates && counts.duplicated)) valid = false;
  else if (!drain && counts.enqueued > 0) valid = 'unknown';

  const problems = formatCounts({ lost: counts.lost, unexpected: counts.unexpected, 'resurrected after completion': counts.resurrected, 'stuck in processing': counts.stuck, 'left pending': counts.undrained });
  const dupText = counts.duplicated ? `; ${counts.duplicated} duplicated${allowDuplicates ? ' (allowed)' : ''}` : '';
  const summary =
    valid === 'unknown'
      ? `no final drain in the history: cannot tell lost tasks (${counts.enqueued} enqueued, ${counts.dequeued} dequeued${dupText})`
      : `${counts.enqueued} enqueued${counts.indeterminateEnqueues ? ` (+${counts.indeterminateEnqueues} indeterminate)` : ''}, ` +
        `${counts.completed} completed (${counts.drained} in drains): ${problems === 'none' ? 'nothing lost' : problems}${dupText}`;
  return {
    checker: 'queue',
    valid,
    summary,
    anomalies: anomalies.list(),
    details: {
      ...counts,
      emptyDequeues,
      finalStats: stats ?? null,
      drainOp: drain ? drain.invoke.index : null,
      notCompleted: notCompleted.slice(0, 100),
      allowDuplicates,
      truncated: anomalies.truncated(),
    },
  };
}

function describeDelivery(d: Delivery): string {
  return d.viaDrain ? `the drain (${describeCall(d.call, 'drain')})` : describeCall(d.call, 'dequeue');
}

function taskIdText(output: unknown): string {
  const task = asTask(output);
  return task && task.taskId !== undefined ? `, task ${formatValue(task.taskId)}` : '';
}
