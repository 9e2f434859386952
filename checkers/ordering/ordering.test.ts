import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryBuilder, type CallRef } from '../common/history-builder.js';
import { checkOrderingHistory } from './index.js';

interface Msg {
  id: string;
  sequence: number;
  content: string;
  user: string;
}

/** A small chat world: clients join room r, publish, and poll frames. */
class Chat {
  readonly h = new HistoryBuilder();
  private clock = 0;
  private readonly msgs = new Map<string, Msg>();

  tick(): number {
    this.clock += 10;
    return this.clock;
  }

  join(process: number, room = 'r'): CallRef {
    const t = this.tick();
    return this.h.call({ process, f: 'join', value: { room }, start: t, end: t + 1 });
  }

  /** An acknowledged publish by `process` of message `id` with `sequence`. */
  publish(process: number, id: string, sequence: number, room = 'r', content = `c-${id}`): CallRef {
    this.msgs.set(id, { id, sequence, content, user: `u${process}` });
    return this.acknowledged(process, { room, content }, id, sequence);
  }

  /** A resend of `content` by `process` (same clientMsgId), acknowledged as message `id` with `sequence`. */
  resend(process: number, id: string, sequence: number, content: string, room = 'r'): CallRef {
    if (!this.msgs.has(id)) this.msgs.set(id, { id, sequence, content, user: `u${process}` });
    return this.acknowledged(process, { room, content, resend: true }, id, sequence);
  }

  private acknowledged(process: number, value: { room: string; content: string; resend?: true }, id: string, sequence: number): CallRef {
    const t = this.tick();
    return this.h.call({ process, f: 'publish', value, start: t, end: t + 5, result: { room: value.room, content: value.content, id, sequence } });
  }

  /** A poll returning frames: `id` (live), `id:h` (history) or `id:r` (the answer to a resend). */
  poll(process: number, frames: string[], room = 'r'): CallRef {
    const t = this.tick();
    const result = frames.map((f) => {
      const [id, via] = f.split(':') as [string, string | undefined];
      const m = this.msgs.get(id) ?? { id, sequence: -1, content: `c-${id}`, user: '?' };
      return { room, id: m.id, sequence: m.sequence, content: m.content, user: m.user, via: via === 'h' ? 'history' : via === 'r' ? 'resend' : 'live' };
    });
    return this.h.call({ process, f: 'poll', start: t, end: t + 1, result });
  }

  reconnect(process: number): CallRef {
    const t = this.tick();
    return this.h.call({ process, f: 'reconnect', start: t, end: t + 2 });
  }

  /** The final phase: catch-up then a poll with what the catch-up brought. */
  finish(process: number, frames: string[] = [], room = 'r'): CallRef {
    const t = this.tick();
    this.h.call({ process, f: 'catch-up', start: t, end: t + 1 });
    return this.poll(process, frames, room);
  }

  /** Registers a message seen by clients without a publish in this history. */
  message(id: string, sequence: number, content = `c-${id}`): void {
    this.msgs.set(id, { id, sequence, content, user: 'u?' });
  }

  /** The ordering checker's result on the history so far. */
  check(): ReturnType<typeof checkOrderingHistory> {
    return checkOrderingHistory(this.h.build());
  }
}

/** The chat's history passes (no anomaly, valid); its result. */
function expectValid(c: Chat): ReturnType<typeof checkOrderingHistory> {
  const r = c.check();
  expect(r.anomalies).toEqual([]);
  expect(r.valid).toBe(true);
  return r;
}

const kinds = (r: ReturnType<typeof checkOrderingHistory>): string[] => r.anomalies.map((a) => a.kind).sort();

describe('ordering checker: clean histories', () => {
  it('passes clients that agree on one gap-free order', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.join(3);
    c.publish(1, 'm1', 1);
    c.publish(2, 'm2', 2);
    c.publish(1, 'm3', 3);
    c.poll(1, ['m1', 'm2', 'm3']);
    c.poll(2, ['m1', 'm2']);
    c.poll(3, ['m1', 'm2', 'm3']);
    c.poll(2, ['m3']);
    c.finish(1);
    c.finish(2);
    c.finish(3);
    const r = expectValid(c);
    expect(r.details).toMatchObject({ messages: 3, clients: 3, finishedClients: 3, liveFrames: 9, historyFrames: 0 });
  });

  it('passes a reconnecting client whose gap is filled by history frames that repeat what it had', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.publish(1, 'm1', 1);
    c.poll(2, ['m1']);
    c.reconnect(2);
    c.publish(1, 'm2', 2);
    c.publish(1, 'm3', 3);
    // After rejoining, the join history re-sends m1 and fills m2; m3 arrives live.
    c.poll(2, ['m1:h', 'm2:h', 'm3']);
    c.publish(1, 'm4', 4);
    c.reconnect(2);
    // m4 was missed live; the final catch-up fills it.
    c.poll(1, ['m1', 'm2', 'm3', 'm4']);
    c.finish(1);
    c.finish(2, ['m4:h']);
    expectValid(c);
  });

  it('does not expect delivery to clients that joined after the publish, gave up (info) or never finished', () => {
    const c = new Chat();
    c.join(1);
    c.publish(1, 'm1', 1);
    c.join(2); // joined after m1 was published: its history frame may or may not include m1
    c.join(3);
    c.publish(1, 'm2', 2);
    c.h.call({ process: 3, f: 'poll', start: 500, end: 600, type: 'info' }); // retired
    c.join(4); // never reaches the final phase
    c.publish(1, 'm3', 3);
    const t = c.tick();
    c.h.call({ process: 1, f: 'publish', value: { room: 'r', content: 'maybe' }, start: t, end: t + 100, type: 'info' });
    c.poll(2, ['m2', 'm3']);
    c.finish(1);
    c.finish(2);
    expectValid(c);
  });

  it('accepts join notices that repeat their text under new ids, and frames without message ids', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.message('n1', 1, 'alice joined the room');
    c.message('n2', 2, 'alice joined the room');
    c.poll(1, ['n1', 'n2']);
    c.poll(2, ['n1:h', 'n2']);
    const t = c.tick();
    // A server without ids: the content names the message.
    c.h.call({ process: 1, f: 'publish', value: { room: 'r', content: 'x' }, start: t, end: t + 1, result: { room: 'r', content: 'x', id: '', sequence: 3 } });
    const frame = { room: 'r', id: '', sequence: 3, content: 'x', user: 'u1', via: 'live' };
    c.h.call({ process: 1, f: 'poll', start: t + 2, end: t + 3, result: [frame] });
    c.h.call({ process: 2, f: 'poll', start: t + 2, end: t + 3, result: [frame] });
    c.finish(1);
    c.finish(2);
    const r = c.check();
    expect(r.anomalies).toEqual([]);
    expect(r.details).toMatchObject({ messages: 3 });
  });

  it('says unknown when no client finished but publishes were acknowledged', () => {
    const c = new Chat();
    c.join(1);
    c.publish(1, 'm1', 1);
    const r = c.check();
    expect(r.valid).toBe('unknown');
    expect(r.summary).toContain('no client finished');
  });
});

describe('ordering checker: anomalies', () => {
  it('finds a sequence given to two messages (a sequencer reset), with its witnesses', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    const p1 = c.publish(1, 'm1', 1);
    c.poll(2, ['m1']);
    const p2 = c.publish(1, 'm9', 1);
    c.poll(2, ['m9']);
    c.finish(1);
    c.finish(2);
    const r = c.check();
    expect(r.valid).toBe(false);
    const reused = r.anomalies.filter((a) => a.kind === 'sequence-reused');
    expect(reused).toHaveLength(1);
    expect(reused[0]?.ops).toEqual([...p1.ops, ...p2.ops]);
    expect(reused[0]?.explanation).toMatch(/sequence 1 was given to 2 different messages: message "m1".*message "m9"/);
    // The same reset also breaks the sender's FIFO order.
    expect(kinds(r)).toContain('sender-fifo');
  });

  it('finds a gap a finished client never filled, and says who saw the missing message', () => {
    const c = new Chat();
    const j2 = c.join(2);
    c.join(1);
    c.publish(1, 'm1', 1);
    c.publish(1, 'm2', 2);
    c.publish(1, 'm3', 3);
    c.poll(1, ['m1', 'm2', 'm3']);
    c.poll(2, ['m1', 'm3']);
    c.finish(1);
    const last = c.finish(2);
    const r = c.check();
    const gaps = r.anomalies.filter((a) => a.kind === 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.explanation).toMatch(/Process 2 saw sequences 1..3 in room "r" but never 2.*process\(es\) 1 did see/);
    expect(gaps[0]?.ops).toEqual([...j2.ops, ...last.ops]);
    // m2 was acknowledged while process 2 was subscribed: it is also missing.
    const missing = r.anomalies.filter((a) => a.kind === 'missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]?.explanation).toMatch(/message "m2" .* never reached process\(es\) 2/);
    expect(r.valid).toBe(false);
  });

  it('finds an acknowledged message missing at a subscriber even without a gap (the last one)', () => {
    const c = new Chat();
    const j2 = c.join(2);
    c.join(1);
    c.publish(1, 'm1', 1);
    const p2 = c.publish(1, 'm2', 2);
    c.poll(2, ['m1']);
    c.finish(1);
    const last = c.finish(2);
    const r = c.check();
    expect(kinds(r)).toEqual(['missing']);
    expect(r.anomalies[0]?.ops).toEqual([...j2.ops, ...p2.ops, ...last.ops].sort((a, b) => a - b));
  });

  it('finds two clients that received two messages in opposite orders', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.join(3);
    c.publish(3, 'a', 1);
    c.publish(3, 'b', 2);
    const pa = c.poll(1, ['a', 'b']);
    const pb = c.poll(2, ['b']);
    const pb2 = c.poll(2, ['a']);
    c.finish(1);
    c.finish(2);
    c.finish(3);
    const r = c.check();
    const dis = r.anomalies.filter((a) => a.kind === 'order-disagreement');
    expect(dis).toHaveLength(1);
    expect(dis[0]?.explanation).toMatch(/process 1 received message "a" .* before message "b" .*but process 2 received them the other way round/);
    expect(dis[0]?.ops).toEqual([...pa.ops, ...pb.ops, ...pb2.ops].sort((a, b) => a - b));
    expect(kinds(r)).toEqual(['order-disagreement', 'out-of-order', 'sender-fifo']);
  });

  it('finds a message delivered live twice to one client, and one content under two ids', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.publish(1, 'm1', 1);
    const first = c.poll(2, ['m1']);
    const again = c.poll(2, ['m1']);
    c.message('m1-copy', 2, 'c-m1'); // the server stored the same publish twice
    const copy = c.poll(2, ['m1-copy']);
    c.poll(1, ['m1', 'm1-copy']);
    c.finish(1);
    c.finish(2);
    const r = c.check();
    const dups = r.anomalies.filter((a) => a.kind === 'duplicate');
    expect(dups).toHaveLength(2);
    const live = dups.find((a) => a.explanation.includes('live twice'));
    expect(live?.ops).toEqual([...first.ops, ...again.ops]);
    const content = dups.find((a) => a.explanation.includes('was delivered as 2 messages'));
    expect(content?.explanation).toContain('message "m1-copy"');
    expect(content?.ops).toEqual(expect.arrayContaining(copy.ops));
    expect(r.valid).toBe(false);
  });

  it('finds a sender whose later message got a lower sequence and arrived first', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    const p1 = c.publish(1, 'x', 5);
    const p2 = c.publish(1, 'y', 4);
    c.finish(1);
    const poll = c.finish(2, ['y', 'x']);
    c.message('filler', 0);
    const r = c.check();
    const fifo = r.anomalies.filter((a) => a.kind === 'sender-fifo');
    expect(fifo).toHaveLength(2);
    expect(fifo[0]?.ops).toEqual([...p1.ops, ...p2.ops]);
    expect(fifo[0]?.explanation).toContain('the later message got a sequence number not above the earlier one');
    expect(fifo[1]?.ops).toEqual([...p1.ops, ...p2.ops, ...poll.ops]);
    expect(fifo[1]?.explanation).toContain('process 2 received them live the other way round');
  });

  it('finds live frames received against sequence order', () => {
    const c = new Chat();
    c.join(1);
    c.message('a', 1);
    c.message('b', 2);
    const p = c.poll(1, ['b', 'a']);
    c.finish(1);
    const r = c.check();
    expect(kinds(r)).toEqual(['out-of-order']);
    expect(r.anomalies[0]?.ops).toEqual(p.ops);
  });
});

/**
 * Runs of a correct chat server: one sequencer per room, live frames to connected members in
 * sequence order, history frames (some of them repeats) after a reconnect, a final catch-up.
 */
const correctRun = fc
  .record({
    clients: fc.integer({ min: 2, max: 5 }),
    steps: fc.array(
      fc.record({
        kind: fc.constantFrom('publish', 'publish', 'publish', 'poll', 'disconnect', 'reconnect'),
        client: fc.integer({ min: 0, max: 4 }),
        room: fc.constantFrom('a', 'b'),
        repeat: fc.boolean(),
      }),
      { maxLength: 40 },
    ),
  })
  .map(({ clients, steps }) => {
    const h = new HistoryBuilder();
    let t = 0;
    const next = (): number => (t += 10);
    const seq = new Map<string, number>();
    const log = new Map<string, { id: string; sequence: number; content: string; user: string }[]>();
    const connected = new Set<number>();
    const buffer = new Map<number, unknown[]>();
    const seen = new Map<number, Set<string>>();
    const deliver = (c: number, room: string, m: { id: string }, via: 'live' | 'history'): void => {
      buffer.get(c)?.push({ room, ...m, via });
      seen.get(c)?.add(m.id);
    };
    const fill = (c: number, repeat: boolean): void => {
      for (const [room, msgs] of log) for (const m of msgs) if (repeat || !seen.get(c)?.has(m.id)) deliver(c, room, m, 'history');
    };
    for (let c = 1; c <= clients; c++) {
      for (const room of ['a', 'b']) {
        const at = next();
        h.call({ process: c, f: 'join', value: { room }, start: at, end: at + 1 });
      }
      connected.add(c);
      buffer.set(c, []);
      seen.set(c, new Set());
    }
    let n = 0;
    for (const s of steps) {
      const c = 1 + (s.client % clients);
      const at = next();
      if (s.kind === 'publish' && connected.has(c)) {
        const sequence = (seq.get(s.room) ?? 0) + 1;
        seq.set(s.room, sequence);
        const m = { id: `id-${++n}`, sequence, content: `msg-${n}`, user: `u${c}` };
        log.set(s.room, [...(log.get(s.room) ?? []), m]);
        for (const member of connected) deliver(member, s.room, m, 'live');
        h.call({ process: c, f: 'publish', value: { room: s.room, content: m.content }, start: at, end: at + 5, result: { room: s.room, content: m.content, id: m.id, sequence } });
      } else if (s.kind === 'poll') {
        h.call({ process: c, f: 'poll', start: at, end: at + 1, result: buffer.get(c) });
        buffer.set(c, []);
      } else if (s.kind === 'disconnect') {
        connected.delete(c);
      } else if (s.kind === 'reconnect') {
        connected.add(c);
        fill(c, s.repeat);
        h.call({ process: c, f: 'reconnect', start: at, end: at + 2 });
      }
    }
    for (let c = 1; c <= clients; c++) {
      const at = next();
      connected.add(c);
      fill(c, false);
      h.call({ process: c, f: 'catch-up', start: at, end: at + 1 });
      h.call({ process: c, f: 'poll', start: at + 2, end: at + 3, result: buffer.get(c) });
    }
    return h.build();
  });

describe('ordering checker: properties', () => {
  it('finds nothing in runs of a correct server with disconnects, history fills and repeats', () => {
    fc.assert(
      fc.property(correctRun, (history) => {
        const r = checkOrderingHistory(history);
        expect(r.anomalies).toEqual([]);
        expect(r.valid).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('finds the message when a finished client never gets one acknowledged publish', () => {
    fc.assert(
      fc.property(correctRun, fc.nat(), (history, pick) => {
        const publishes = history.filter((op) => op.f === 'publish' && op.type === 'ok');
        fc.pre(publishes.length > 0);
        const victim = publishes[pick % publishes.length] as (typeof history)[number];
        const id = (victim.value as { id: string }).id;
        // Some other client loses every frame of that message.
        const other = history.find((op) => op.f === 'poll' && op.process !== victim.process) as (typeof history)[number];
        const cut = history.map((op) =>
          op.f === 'poll' && op.type === 'ok' && op.process === other.process
            ? { ...op, value: (op.value as { id: string }[]).filter((f) => f.id !== id) }
            : op,
        );
        const r = checkOrderingHistory(cut);
        const missing = r.anomalies.filter((a) => a.kind === 'missing');
        expect(missing).toHaveLength(1);
        expect(missing[0]?.explanation).toContain(`"${id}"`);
        expect(missing[0]?.explanation).toMatch(new RegExp(`never reached process\\(es\\) ${other.process}[,\\s]`));
        expect(r.valid).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ordering checker: resends (same content, same clientMsgId)', () => {
  it('a resend acknowledged by the stored copy is one message: not missing for a later joiner, no sender-fifo, its answer not live', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.publish(1, 'm1', 1);
    c.publish(1, 'm2', 2);
    c.join(3); // after m1 was sent: m1 is not owed to process 3 (it started after it)
    c.resend(1, 'm1', 1, 'c-m1'); // after m2 was acknowledged
    c.poll(1, ['m1', 'm2', 'm1:r']);
    c.poll(2, ['m1', 'm2']);
    c.poll(3, []);
    c.finish(1);
    c.finish(2);
    c.finish(3);
    expectValid(c);
  });

  it('a fresh process that resends its retired predecessor\'s message gets an old sequence: no gap before its own start', () => {
    const c = new Chat();
    c.join(1);
    c.publish(1, 'm1', 1);
    for (let i = 2; i <= 5; i++) c.publish(1, `m${i}`, i);
    c.join(5); // the successor starts after m5
    c.resend(5, 'm1', 1, 'c-m1');
    c.publish(5, 'm6', 6);
    c.poll(5, ['m6']);
    c.poll(1, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    c.finish(1);
    c.finish(5);
    const r = c.check();
    expect(r.anomalies).toEqual([]);
  });

  it('a resend stored as a second message is a duplicate; the new message is owed like any other', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.publish(1, 'm1', 1);
    c.resend(1, 'm1b', 2, 'c-m1'); // the server stored it again: a new id and sequence
    c.poll(1, ['m1', 'm1b:r']);
    c.poll(2, ['m1', 'm1b']);
    c.finish(1);
    c.finish(2);
    const r = c.check();
    expect(kinds(r)).toEqual(['duplicate']);
    expect(r.anomalies[0]!.explanation).toMatch(/content "c-m1" \(published once\) was delivered as 2 messages/);
  });

  it('a resend whose message never reached a subscriber is missing; resend frames do not count as live order', () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.publish(1, 'm1', 1);
    c.publish(1, 'm2', 2);
    c.resend(1, 'm1', 1, 'c-m1');
    c.poll(1, ['m2', 'm1:r']); // m1 only as the resend's answer: after m2, but not live
    c.poll(2, ['m2']);
    c.finish(1);
    c.finish(2);
    const r = c.check();
    expect(kinds(r)).toEqual(['missing']); // once, though two publishes were acknowledged with it
    expect(r.anomalies.find((a) => a.kind === 'missing')!.explanation).toMatch(/never reached process\(es\) 2/);
  });
});

describe('ordering checks are selectable', () => {
  const duplicated = () => {
    const c = new Chat();
    c.join(1);
    c.join(2);
    c.publish(1, 'm1', 1);
    c.poll(2, ['m1']);
    c.poll(2, ['m1']);
    c.poll(1, ['m1']);
    c.finish(1);
    c.finish(2);
    return c.h.build();
  };

  it('all checks by default; a history whose only fault is a duplicate passes when no-duplicates is not selected', () => {
    expect(checkOrderingHistory(duplicated()).anomalies.map((a) => a.kind)).toEqual(['duplicate']);
    const without = checkOrderingHistory(duplicated(), { checks: ['total-order', 'gap-free', 'delivered', 'sender-fifo'] });
    expect(without.valid).toBe(true);
    expect(without.anomalies).toEqual([]);
    expect(checkOrderingHistory(duplicated(), { checks: ['no-duplicates'] }).valid).toBe(false);
  });

  it('runs only the selected checks: a check not chosen counts nothing and reads nothing; the summary and details name the checks run', () => {
    const only = checkOrderingHistory(duplicated(), { checks: ['no-duplicates'] });
    expect(only.details).toMatchObject({ checks: ['no-duplicates'], duplicate: 1 });
    for (const kind of ['gap', 'sequence-reused', 'out-of-order', 'order-disagreement', 'missing', 'sender-fifo', 'self-delivery', 'history-skip', 'historyReads']) expect(only.details, kind).not.toHaveProperty(kind);
    const clean = checkOrderingHistory(duplicated(), { checks: ['total-order', 'history-reads'] });
    expect(clean.valid).toBe(true);
    expect(clean.summary).toMatch(/nothing found by total-order, history-reads \(the only checks run\)$/);
    expect(clean.details).toMatchObject({ checks: ['total-order', 'history-reads'], historyReads: 0, 'out-of-order': 0, 'order-disagreement': 0 });
    expect(clean.details).not.toHaveProperty('duplicate');
    const all = checkOrderingHistory(duplicated());
    expect(all.details!['checks']).toEqual(['total-order', 'gap-free', 'delivered', 'no-duplicates', 'sender-fifo', 'self-delivery', 'history-reads']);
    expect(all.details).toMatchObject({ gap: 0, missing: 0, duplicate: 1, historyReads: 0 });
  });

  it('no finished client makes the verdict unknown only when a check that needs one runs (delivered, gap-free)', () => {
    const c = new Chat();
    c.join(1);
    c.publish(1, 'm1', 1);
    const h = c.h.build();
    expect(checkOrderingHistory(h).valid).toBe('unknown');
    expect(checkOrderingHistory(h, { checks: ['delivered'] }).valid).toBe('unknown');
    expect(checkOrderingHistory(h, { checks: ['gap-free'] }).valid).toBe('unknown');
    const r = checkOrderingHistory(h, { checks: ['total-order', 'no-duplicates', 'sender-fifo'] });
    expect(r.valid).toBe(true);
    expect(r.summary).toContain('nothing found by total-order, no-duplicates, sender-fifo');
  });

  it('an unknown check is refused with the valid ones', () => {
    expect(() => checkOrderingHistory([], { checks: ['gapfree'] } as never)).toThrow(/checks\.0: checker ordering: "gapfree" is not allowed; valid choices: total-order, gap-free, delivered, no-duplicates, sender-fifo, self-delivery, history-reads/);
  });
});
