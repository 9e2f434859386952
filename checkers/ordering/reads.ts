/**
 * Two chat checks that read single ops rather than the delivery graph:
 * - self-delivery: a publish acknowledged only through history (`via: "history"`): on one socket
 *   the server sends a message to its room, the sender included, before any history answer that
 *   holds it, so the sender was skipped;
 * - history-skip: a `history` read (`{room, since, limit}` answered by `{messages, lastSequence}`)
 *   whose answer does not start at `since + 1`, skips a sequence inside the page, or stops short
 *   of `limit` while the room holds more (`lastSequence`), so a client paging through history
 *   loses the message at the boundary.
 */
import type { AnomalyList } from '../common/anomalies.js';
import { callOps, type Call } from '../common/calls.js';
import { describeCall, formatValue, opIndexes } from '../common/describe.js';

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function checkSelfDelivery(calls: readonly Call[], anomalies: AnomalyList): void {
  for (const call of calls) {
    if (call.f !== 'publish' || call.status !== 'ok') continue;
    const out = obj(call.output);
    if (out?.via !== 'history') continue;
    anomalies.add({
      kind: 'self-delivery',
      explanation:
        `Process ${call.process} published ${formatValue(out.content, 40)} in room ${formatValue(out.room)} (${describeCall(call, 'publish')}) and found it ` +
        `(sequence ${formatValue(out.sequence)}) only in a history answer: the server never sent the message to its sender, ` +
        'though on one socket a message reaches its room, the sender included, before any history that holds it.',
      ops: opIndexes(callOps(call)),
    });
  }
}

export function checkHistoryReads(calls: readonly Call[], anomalies: AnomalyList): number {
  let reads = 0;
  for (const call of calls) {
    if (call.f !== 'history' || call.status !== 'ok') continue;
    const out = obj(call.output);
    const since = out?.since;
    const limit = out?.limit;
    if (typeof since !== 'number' || typeof limit !== 'number' || !Array.isArray(out?.messages)) continue;
    reads++;
    const seqs = out.messages.map((m) => obj(m)?.sequence).filter((s): s is number => typeof s === 'number');
    const last = typeof out.lastSequence === 'number' ? out.lastSequence : undefined;
    const read = `${describeCall(call, 'history')}: since ${since}, limit ${limit}, got ${seqs.length ? `sequences ${seqs.join(', ')}` : 'nothing'}${last !== undefined ? `, lastSequence ${last}` : ''}`;
    let problem: string | undefined;
    const k = seqs.findIndex((s, i) => s !== since + 1 + i);
    if (k >= 0) problem = k === 0 ? `the answer starts at ${seqs[0]}, not at ${since + 1}, the message right after the boundary` : `sequence ${since + 1 + k} is skipped inside the page`;
    else if (last !== undefined && seqs.length < Math.min(limit, last - since)) {
      problem = `the page stops at ${seqs.length} message(s), short of its limit, while the room holds up to ${last}: a client that pages on never asks for sequence ${since + seqs.length + 1}`;
    }
    if (problem === undefined) continue;
    anomalies.add({
      kind: 'history-skip',
      explanation: `Process ${call.process} read the history of room ${formatValue(out.room)} (${read}): ${problem}.`,
      ops: opIndexes(callOps(call)),
    });
  }
  return reads;
}
