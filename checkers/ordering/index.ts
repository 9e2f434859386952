/**
 * Ordering of a chat history (rooms with per-room sequence numbers, clients that poll the frames
 * they received). Per room:
 * - sequence-reused: two different messages carry one sequence number (sequence-changed: one
 *   message carries two);
 * - gap: a client that finished the run saw sequences n and n+k but never one in between;
 * - out-of-order: a client received live frames against sequence order;
 * - order-disagreement: two clients received two messages live in opposite orders;
 * - missing: an acknowledged publish never reached a client subscribed throughout (joined before
 *   the publish was invoked and finished the run with its final catch-up and poll);
 * - duplicate: one message id delivered live twice to one client, or one content stored under
 *   two message ids (history frames that re-send what a client already has are fine);
 * - sender-fifo: two messages from one sender, the first acknowledged before the second was
 *   sent, ordered the other way (by sequence, or as a client received them live);
 * - self-delivery, history-skip: see reads.ts.
 * A resend (a publish with `resend: true` and the content of an earlier one, so the same
 * `clientMsgId`) is the same message, not a new one: it must be stored and delivered once (one
 * content under two ids is a `duplicate`), it is owed to the clients that joined before its first
 * send, and sender FIFO orders a sender's messages by their first send and first acknowledgement.
 * Frames with `via: "resend"` (the answer to a resend) are deliveries but not live ones.
 */
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { stringifyJson } from '../../core/json.js';
import { AnomalyList } from '../common/anomalies.js';
import { callOps, pairCalls, pushTo, type Call } from '../common/calls.js';
import { describeCall, formatCounts, formatTime, formatValue, opIndexes } from '../common/describe.js';
import { z } from 'zod';
import { checkerOptions, checkList, maxAnomalies } from '../common/options.js';
import { checkHistoryReads, checkSelfDelivery } from './reads.js';


export interface Frame {
  room: string;
  id: string;
  sequence: number | undefined;
  content: string | undefined;
  user?: unknown;
  via: 'live' | 'history' | 'resend' | 'ack';
}

interface Delivery extends Frame {
  /** The poll (or, for `ack`, the publish) that carried it. */
  call: Call;
  /** Arrival rank within this client. */
  rank: number;
  /** The ack of a resend: its message may predate this client (a retired predecessor sent it). */
  resent?: true;
}

interface Client {
  process: number;
  joins: Map<string, Call>;
  leaves: Map<string, Call[]>;
  deliveries: Map<string, Delivery[]>;
  finished: boolean;
  lastPoll?: Call;
}

interface Publish {
  call: Call;
  room: string;
  content: string | undefined;
  id: string | undefined;
  sequence: number | undefined;
}

const idKey = (id: unknown): string => (typeof id === 'string' ? id : (stringifyJson(id) ?? String(id)));

function asFrame(value: unknown): Frame | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.room !== 'string') return undefined;
  const content = typeof v.content === 'string' ? v.content : undefined;
  // A server that sends no message id: the content (unique per publish) stands in for it.
  const id = v.id === undefined || v.id === null || v.id === '' ? (content === undefined ? undefined : `~${content}`) : idKey(v.id);
  if (id === undefined) return undefined;
  return {
    room: v.room,
    id,
    sequence: typeof v.sequence === 'number' ? v.sequence : undefined,
    content,
    user: v.user,
    via: v.via === 'history' || v.via === 'resend' ? v.via : 'live',
  };
}

/** One message's identity across its resends: room and content. */
const messageKey = (p: Publish): string => `${p.room}\u0000${p.content ?? `#${p.call.invoke.index}`}`;

/** When each message was first sent: the earliest invoke of a publish of it that may have happened. */
function firstSendOf(publishes: readonly Publish[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const p of publishes) {
    if (p.call.status === 'fail') continue;
    const key = messageKey(p);
    const at = first.get(key);
    if (at === undefined || p.call.start < at) first.set(key, p.call.start);
  }
  return first;
}

function roomOf(value: unknown): string | undefined {
  if (value && typeof value === 'object' && typeof (value as { room?: unknown }).room === 'string') return (value as { room: string }).room;
  return undefined;
}

function describeMessage(id: string, seq: number | undefined, content: string | undefined): string {
  return `message ${formatValue(id)}${seq !== undefined ? ` (sequence ${seq}` : ' ('}${content !== undefined ? `${seq !== undefined ? ', ' : ''}content ${formatValue(content, 40)})` : ')'}`;
}

/** `3-5, 9` from sorted numbers. */
function ranges(ns: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ns.length; ) {
    let j = i;
    while (j + 1 < ns.length && (ns[j + 1] as number) === (ns[j] as number) + 1) j++;
    parts.push(i === j ? `${ns[i]}` : `${ns[i]}-${ns[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The ordering checker's checks (option `checks`, default all), each with the anomaly kinds it reports. */
export const ORDERING_CHECKS = {
  'total-order': ['out-of-order', 'order-disagreement'],
  'gap-free': ['gap', 'sequence-reused', 'sequence-changed'],
  delivered: ['missing'],
  'no-duplicates': ['duplicate'],
  'sender-fifo': ['sender-fifo'],
  'self-delivery': ['self-delivery'],
  'history-reads': ['history-skip'],
} as const satisfies Record<string, readonly string[]>;
export type OrderingCheck = keyof typeof ORDERING_CHECKS;
const CHECK_NAMES = Object.keys(ORDERING_CHECKS) as [OrderingCheck, ...OrderingCheck[]];

/** The `ordering` checker's options. */
export const orderingOptions = z.strictObject({
  /** Which checks run (only they report anomalies and count for the verdict). Default: all. */
  checks: checkList(CHECK_NAMES),
  maxAnomalies,
});
export type OrderingCheckOptions = z.input<typeof orderingOptions>;

export function checkOrderingHistory(history: readonly Op[], options: OrderingCheckOptions = {}): CheckResult {
  const opts = checkerOptions('ordering', orderingOptions, options);
  // Only the selected checks run; the others cost nothing and report nothing.
  const on = new Set<OrderingCheck>(opts.checks ?? CHECK_NAMES);
  const anomalies = new AnomalyList(opts.maxAnomalies);

  const { calls } = pairCalls(history);
  const clients = new Map<number, Client>();
  const clientOf = (process: number): Client => {
    let c = clients.get(process);
    if (!c) clients.set(process, (c = { process, joins: new Map(), leaves: new Map(), deliveries: new Map(), finished: false }));
    return c;
  };
  const publishes: Publish[] = [];
  const catchUps = new Map<number, Call>();
  let rank = 0;
  let liveFrames = 0;
  let historyFrames = 0;
  const chatOps = new Set(['join', 'leave', 'publish', 'poll', 'catch-up', 'reconnect']);
  for (const call of calls) {
    if (!chatOps.has(call.f)) continue;
    const client = clientOf(call.process);
    switch (call.f) {
      case 'join': {
        const room = roomOf(call.input);
        if (room !== undefined && call.status === 'ok' && !client.joins.has(room)) client.joins.set(room, call);
        break;
      }
      case 'leave': {
        const room = roomOf(call.input);
        if (room !== undefined && call.status !== 'fail') pushTo(client.leaves, room, call);
        break;
      }
      case 'publish': {
        const room = roomOf(call.input) ?? roomOf(call.output);
        if (room === undefined) break;
        const input = call.input as { content?: unknown };
        const out = call.status === 'ok' ? asFrame(call.output) : undefined;
        const p: Publish = {
          call,
          room,
          content: typeof input.content === 'string' ? input.content : out?.content,
          id: out?.id,
          sequence: out?.sequence,
        };
        publishes.push(p);
        const resent = (call.input as { resend?: unknown } | undefined)?.resend === true ? { resent: true as const } : {};
        if (out) pushTo(client.deliveries, room, { ...out, content: p.content, via: 'ack', call, rank: rank++, ...resent });
        break;
      }
      case 'poll': {
        if (call.status !== 'ok' || !Array.isArray(call.output)) break;
        client.lastPoll = call;
        const catchUp = catchUps.get(call.process);
        if (catchUp && call.start >= catchUp.end) client.finished = true;
        for (const item of call.output) {
          const frame = asFrame(item);
          if (!frame) continue;
          if (frame.via === 'live') liveFrames++;
          else historyFrames++;
          pushTo(client.deliveries, frame.room, { ...frame, call, rank: rank++ });
        }
        break;
      }
      case 'catch-up':
        if (call.status === 'ok') catchUps.set(call.process, call);
        break;
    }
  }

  // Everything known about each message, by room and id.
  interface Message {
    id: string;
    room: string;
    sequences: Map<number, Delivery>;
    content: string | undefined;
    firstSeen: Delivery;
  }
  const messages = new Map<string, Map<string, Message>>();
  for (const client of clients.values()) {
    for (const [room, list] of client.deliveries) {
      let byId = messages.get(room);
      if (!byId) messages.set(room, (byId = new Map()));
      for (const d of list) {
        let m = byId.get(d.id);
        if (!m) byId.set(d.id, (m = { id: d.id, room, sequences: new Map(), content: d.content, firstSeen: d }));
        const bySeq = d.sequence === undefined ? undefined : m.sequences.get(d.sequence);
        if (d.sequence !== undefined && (!bySeq || d.rank < bySeq.rank)) m.sequences.set(d.sequence, d);
        if (d.rank < m.firstSeen.rank) m.firstSeen = d;
        if (m.content === undefined) m.content = d.content;
      }
    }
  }
  const where = (d: Delivery): string =>
    d.via === 'ack' ? `the publish ack to process ${d.call.process} (op #${d.call.completion?.index})` : `a ${d.via} frame polled by process ${d.call.process} at ${formatTime(d.call.end)} (op #${d.call.completion?.index})`;

  // sequence-reused / sequence-changed
  if (on.has('gap-free')) for (const [room, byId] of messages) {
    const bySeq = new Map<number, Message[]>();
    for (const m of byId.values()) {
      for (const seq of m.sequences.keys()) pushTo(bySeq, seq, m);
      if (m.sequences.size > 1) {
        const seen = [...m.sequences.values()];
        anomalies.add({
          kind: 'sequence-changed',
          explanation: `In room ${formatValue(room)}, ${describeMessage(m.id, undefined, m.content)} arrived with ${m.sequences.size} different sequence numbers: ${seen.map((d) => `${d.sequence} in ${where(d)}`).join('; ')}.`,
          ops: opIndexes(...seen.map((d) => callOps(d.call))),
        });
      }
    }
    for (const [seq, list] of [...bySeq].sort(([a], [b]) => a - b)) {
      if (list.length < 2) continue;
      const seen = list.map((m) => m.sequences.get(seq) as Delivery);
      anomalies.add({
        kind: 'sequence-reused',
        explanation: `In room ${formatValue(room)}, sequence ${seq} was given to ${list.length} different messages: ${list
          .map((m, i) => `${describeMessage(m.id, undefined, m.content)} (first seen in ${where(seen[i] as Delivery)})`)
          .join('; ')}. A sequence number must name one message (was the sequencer reset?).`,
        ops: opIndexes(...seen.map((d) => callOps(d.call)), ...publishes.filter((p) => p.room === room && list.some((m) => m.id === p.id)).map((p) => callOps(p.call))),
      });
    }
  }

  // duplicate: one published content under two ids (per room, over everything seen). Only
  // contents the workload published count: join/leave notices may repeat their text.
  if (on.has('no-duplicates')) {
    const published = new Set(publishes.flatMap((p) => (p.content === undefined ? [] : [`${p.room}\u0000${p.content}`])));
    for (const [room, byId] of messages) {
      const byContent = new Map<string, Message[]>();
      for (const m of byId.values()) if (m.content !== undefined && published.has(`${room}\u0000${m.content}`)) pushTo(byContent, m.content, m);
      for (const [content, list] of byContent) {
        if (list.length < 2) continue;
        anomalies.add({
          kind: 'duplicate',
          explanation: `In room ${formatValue(room)}, content ${formatValue(content, 40)} (published once) was delivered as ${list.length} messages: ${list
            .map((m) => `${describeMessage(m.id, [...m.sequences.keys()][0], undefined)} first seen in ${where(m.firstSeen)}`)
            .join('; ')}.`,
          ops: opIndexes(...list.map((m) => callOps(m.firstSeen.call)), ...publishes.filter((p) => p.room === room && p.content === content).map((p) => callOps(p.call))),
        });
      }
    }
  }

  const liveOrder = new Map<Client, Map<string, Map<string, Delivery>>>(); // client -> room -> id -> first live delivery
  for (const client of clients.values()) {
    const rooms = new Map<string, Map<string, Delivery>>();
    liveOrder.set(client, rooms);
    for (const [room, list] of client.deliveries) {
      const firstLive = new Map<string, Delivery>();
      rooms.set(room, firstLive);
      let highest: Delivery | undefined;
      let outOfOrder = 0;
      let firstOutOfOrder: [Delivery, Delivery] | undefined;
      for (const d of list) {
        if (d.via !== 'live') continue;
        const already = firstLive.get(d.id);
        if (already) {
          if (on.has('no-duplicates')) anomalies.add({
            kind: 'duplicate',
            explanation: `Process ${client.process} received ${describeMessage(d.id, d.sequence, d.content)} live twice in room ${formatValue(room)}: in ${where(already)} and again in ${where(d)}.`,
            ops: opIndexes(callOps(already.call), callOps(d.call)),
          });
          continue;
        }
        firstLive.set(d.id, d);
        if (d.sequence === undefined) continue;
        if (highest && d.sequence < (highest.sequence as number)) {
          outOfOrder++;
          firstOutOfOrder ??= [highest, d];
        }
        if (!highest || d.sequence > (highest.sequence as number)) highest = d;
      }
      if (firstOutOfOrder && on.has('total-order')) {
        const [a, b] = firstOutOfOrder;
        anomalies.add({
          kind: 'out-of-order',
          explanation: `Process ${client.process} received live frames in room ${formatValue(room)} against sequence order ${outOfOrder} time(s); first: ${describeMessage(a.id, a.sequence, a.content)} in ${where(a)}, then ${describeMessage(b.id, b.sequence, b.content)} in ${where(b)}.`,
          ops: opIndexes(callOps(a.call), callOps(b.call)),
        });
      }
    }
  }

  const clientList = [...clients.values()];
  if (on.has('total-order')) {
    // order-disagreement: two clients, two messages, opposite live orders. Messages are numbered
    // per room and each client's live order is an array of positions, so a pair of clients costs
    // one pass over the messages one of them received.
    const numbers = new Map<string, Map<string, number>>();
    for (const [room, byId] of messages) numbers.set(room, new Map([...byId.keys()].map((id, n) => [id, n])));
    interface LiveView {
      order: Delivery[];
      numbers: Int32Array;
      /** Position in `order` by message number, -1 when not received live. */
      position: Int32Array;
    }
    const views = new Map<Client, Map<string, LiveView>>();
    for (const [client, rooms] of liveOrder) {
      const byRoom = new Map<string, LiveView>();
      views.set(client, byRoom);
      for (const [room, firstLive] of rooms) {
        const roomNumbers = numbers.get(room) as Map<string, number>;
        const order = [...firstLive.values()]; // a Map keeps arrival order
        const position = new Int32Array(roomNumbers.size).fill(-1);
        const nums = new Int32Array(order.length);
        order.forEach((d, k) => {
          const n = roomNumbers.get(d.id) as number;
          nums[k] = n;
          position[n] = k;
        });
        byRoom.set(room, { order, numbers: nums, position });
      }
    }
    for (let i = 0; i < clientList.length; i++) {
      for (let j = i + 1; j < clientList.length; j++) {
        const a = clientList[i] as Client;
        const b = clientList[j] as Client;
        for (const [room, av] of views.get(a) as Map<string, LiveView>) {
          const bv = (views.get(b) as Map<string, LiveView>).get(room);
          if (!bv) continue;
          let prev = -1; // index in av.order of the previous message b also received
          for (let k = 0; k < av.order.length; k++) {
            const pb = bv.position[av.numbers[k] as number] as number;
            if (pb < 0) continue;
            if (prev < 0 || pb > (bv.position[av.numbers[prev] as number] as number)) {
              prev = k;
              continue;
            }
            const x = av.order[prev] as Delivery;
            const y = av.order[k] as Delivery;
            const bx = bv.order[bv.position[av.numbers[prev] as number] as number] as Delivery;
            const by = bv.order[pb] as Delivery;
            anomalies.add({
              kind: 'order-disagreement',
              explanation: `In room ${formatValue(room)}, process ${a.process} received ${describeMessage(x.id, x.sequence, x.content)} before ${describeMessage(y.id, y.sequence, y.content)} (${where(x)}; ${where(y)}), but process ${b.process} received them the other way round (${where(by)}; ${where(bx)}).`,
              ops: opIndexes(callOps(x.call), callOps(y.call), callOps(bx.call), callOps(by.call)),
            });
            break; // one witness per pair of clients and room
          }
        }
      }
    }
  }

  const finished = clientList.filter((c) => c.finished);
  interface Seen {
    ids: Set<string>;
    contents: Set<string>;
    sequences: Set<number>;
  }
  const seenCache = new Map<Client, Map<string, Seen>>();
  const seenBy = (client: Client, room: string): Seen => {
    let rooms = seenCache.get(client);
    if (!rooms) seenCache.set(client, (rooms = new Map()));
    let seen = rooms.get(room);
    if (!seen) {
      const list = client.deliveries.get(room) ?? [];
      seen = {
        ids: new Set(list.map((d) => d.id)),
        contents: new Set(list.flatMap((d) => (d.content === undefined ? [] : [d.content]))),
        // A resend's ack names a message that may be older than this client: no gap before it.
        sequences: new Set(list.flatMap((d) => (d.sequence === undefined || d.resent ? [] : [d.sequence]))),
      };
      rooms.set(room, seen);
    }
    return seen;
  };

  // gap: a finished client's sequences per room must have no hole between the lowest and highest.
  if (on.has('gap-free')) for (const client of finished) {
    for (const room of client.deliveries.keys()) {
      const seqs = [...seenBy(client, room).sequences].sort((x, y) => x - y);
      const missing: number[] = [];
      for (let k = 0; k + 1 < seqs.length && missing.length < 1000; k++) {
        for (let n = (seqs[k] as number) + 1; n < (seqs[k + 1] as number) && missing.length < 1000; n++) missing.push(n);
      }
      if (!missing.length) continue;
      const others = finished.filter((o) => o !== client && missing.some((n) => seenBy(o, room).sequences.has(n))).map((o) => o.process);
      anomalies.add({
        kind: 'gap',
        explanation:
          `Process ${client.process} saw sequences ${seqs[0]}..${seqs[seqs.length - 1]} in room ${formatValue(room)} but never ${ranges(missing)}, even after its final catch-up` +
          `${client.lastPoll ? ` (last poll op #${client.lastPoll.completion?.index}, ${formatTime(client.lastPoll.end)})` : ''}; ` +
          (others.length ? `process(es) ${others.slice(0, 10).join(', ')} did see some of them.` : 'no client saw them.'),
        ops: opIndexes(client.joins.get(room) ? callOps(client.joins.get(room) as Call) : [], client.lastPoll ? callOps(client.lastPoll) : []),
      });
    }
  }

  // missing: acknowledged publishes not delivered to a client subscribed throughout (since the
  // message's first send: a resend's message may be older than the resend).
  const firstSends = firstSendOf(publishes);
  const sentAt = (p: Publish): number => firstSends.get(messageKey(p)) ?? p.call.start;
  const acknowledged = publishes.filter((p) => p.call.status === 'ok' && p.id !== undefined).length;
  const judged = new Set<string>();
  if (on.has('delivered')) for (const p of publishes) {
    if (p.call.status !== 'ok' || p.id === undefined) continue;
    const once = `${messageKey(p)}\u0000${p.id}`;
    if (judged.has(once)) continue; // a resend acknowledged by the same message
    judged.add(once);
    const sent = sentAt(p);
    const missed = finished.filter((c) => {
      const join = c.joins.get(p.room);
      if (!join || !(join.end < sent)) return false;
      if ((c.leaves.get(p.room) ?? []).some((l) => l.start > join.end)) return false;
      const seen = seenBy(c, p.room);
      return !seen.ids.has(p.id as string) && !(p.content !== undefined && seen.contents.has(p.content));
    });
    if (!missed.length) continue;
    anomalies.add({
      kind: 'missing',
      explanation:
        `${describeMessage(p.id, p.sequence, p.content)} in room ${formatValue(p.room)} was acknowledged to its sender (${describeCall(p.call, 'publish')}) ` +
        `but never reached process(es) ${missed.map((c) => c.process).join(', ')}, which had joined the room before it was published ` +
        `(${missed.slice(0, 5).map((c) => `process ${c.process} joined at ${formatTime((c.joins.get(p.room) as Call).end)}`).join(', ')}) and finished the run with a catch-up and a poll.`,
      ops: opIndexes(callOps(p.call), ...missed.slice(0, 10).flatMap((c) => [callOps(c.joins.get(p.room) as Call), c.lastPoll ? callOps(c.lastPoll) : []])),
    });
  }

  // sender-fifo: by sequence, and by each receiver's live order; one entry per message (its
  // first acknowledged publish, sent at its first send), so a resend is not a later message.
  if (on.has('sender-fifo')) {
    const bySender = new Map<string, Publish[]>();
    const firstAcks = new Set<string>();
    for (const p of publishes) {
      if (p.call.status !== 'ok' || p.id === undefined) continue;
      const key = `${p.call.process}\u0000${messageKey(p)}`;
      if (p.content !== undefined && firstAcks.has(key)) continue;
      firstAcks.add(key);
      pushTo(bySender, `${p.call.process}\u0000${p.room}`, p);
    }
    for (const list of bySender.values()) {
      list.sort((a, b) => sentAt(a) - sentAt(b));
      for (let k = 0; k + 1 < list.length; k++) {
        const p1 = list[k] as Publish;
        const p2 = list[k + 1] as Publish;
        if (p1.sequence === undefined || p2.sequence === undefined || p1.sequence < p2.sequence || !(p1.call.end < sentAt(p2))) continue;
        anomalies.add({
          kind: 'sender-fifo',
          explanation: `Process ${p1.call.process} published ${describeMessage(p1.id as string, p1.sequence, p1.content)} (acknowledged at ${formatTime(p1.call.end)}) and then ${describeMessage(p2.id as string, p2.sequence, p2.content)} (sent at ${formatTime(sentAt(p2))}) in room ${formatValue(p1.room)}; the later message got a sequence number not above the earlier one.`,
          ops: opIndexes(callOps(p1.call), callOps(p2.call)),
        });
      }
      for (const receiver of clientList) {
        const live = (liveOrder.get(receiver) as Map<string, Map<string, Delivery>>).get((list[0] as Publish).room);
        if (!live) continue;
        const got = list.filter((p) => live.has(p.id as string));
        for (let k = 0; k + 1 < got.length; k++) {
          const p1 = got[k] as Publish;
          const p2 = got[k + 1] as Publish;
          const d1 = live.get(p1.id as string) as Delivery;
          const d2 = live.get(p2.id as string) as Delivery;
          if (d1.rank < d2.rank || !(p1.call.end < sentAt(p2))) continue;
          anomalies.add({
            kind: 'sender-fifo',
            explanation: `Process ${p1.call.process} published ${describeMessage(p1.id as string, p1.sequence, p1.content)} (acknowledged at ${formatTime(p1.call.end)}) before ${describeMessage(p2.id as string, p2.sequence, p2.content)} (sent at ${formatTime(sentAt(p2))}) in room ${formatValue(p1.room)}, but process ${receiver.process} received them live the other way round (${where(d2)}; ${where(d1)}).`,
            ops: opIndexes(callOps(p1.call), callOps(p2.call), callOps(d1.call), callOps(d2.call)),
          });
          break;
        }
      }
    }
  }

  if (on.has('self-delivery')) checkSelfDelivery(calls, anomalies);
  const historyReads = on.has('history-reads') ? checkHistoryReads(calls, anomalies) : undefined;

  const selected = CHECK_NAMES.filter((c) => on.has(c));
  // counts of the kinds the selected checks report (a check not run counts nothing, not 0)
  const counts = Object.fromEntries(selected.flatMap((c) => ORDERING_CHECKS[c]).map((k) => [k, anomalies.count(k)]));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const rooms = messages.size;
  const messageCount = [...messages.values()].reduce((n, m) => n + m.size, 0);
  // delivery and gaps are judged on the clients that finished: without one, those checks say nothing
  const noFinal = (on.has('delivered') || on.has('gap-free')) && finished.length === 0 && acknowledged > 0;
  const valid = total > 0 ? false : noFinal ? 'unknown' : true;
  const allChecks = selected.length === CHECK_NAMES.length;
  const summary =
    `${messageCount} messages in ${rooms} room(s), ${clients.size} clients (${finished.length} finished): ` +
    (total
      ? formatCounts(counts)
      : noFinal
        ? 'no client finished its final catch-up: delivery and gaps not checked'
        : allChecks
          ? 'one order, no gaps, no losses, no duplicates'
          : `nothing found by ${selected.join(', ')} (the only checks run)`);
  return {
    checker: 'ordering',
    valid,
    summary,
    anomalies: anomalies.list(),
    details: {
      checks: selected,
      rooms,
      messages: messageCount,
      publishes: publishes.length,
      acknowledgedPublishes: acknowledged,
      clients: clients.size,
      finishedClients: finished.length,
      liveFrames,
      historyFrames,
      ...(historyReads !== undefined && { historyReads }),
      ...counts,
      truncated: anomalies.truncated(),
    },
  };
}
