/** The chat client against the real reference chat server (built in dist/; `npx tsc -p .` first). */
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkloadClient } from '../../core/workload.js';
import { clusterAndClients } from '../testing.js';
import { chat } from './index.js';
import type { ChatFrame } from './options.js';

const harness = clusterAndClients(chat);
afterEach(() => harness.stop());

const never = new AbortController().signal;
const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

const clientFor = (process: number, options: unknown = {}): Promise<WorkloadClient> => harness.client(process, options);

async function poll(c: WorkloadClient): Promise<ChatFrame[]> {
  const out = await c.invoke({ f: 'poll' }, never);
  expect(out.type).toBe('ok');
  return out.value as ChatFrame[];
}

const own = (frames: ChatFrame[]): string[] => frames.filter((f) => f.user !== 'system').map((f) => `${f.content}@${f.sequence}:${f.via}`);

describe('chat workload against the reference chat server', () => {
  it('publish is acknowledged with its sequence; all clients see one order; reconnect and catch-up recover', async () => {
    await harness.start('chat');
    const a = await clientFor(0);
    const b = await clientFor(1);
    expect(await a.invoke({ f: 'join', value: { room: 'room-1' } }, never)).toEqual({ type: 'ok', node: 'chat1' });
    expect(await b.invoke({ f: 'join', value: { room: 'room-1' } }, never)).toMatchObject({ type: 'ok' });
    const p1 = await a.invoke({ f: 'publish', value: { room: 'room-1', content: 'msg-1' } }, never);
    expect(p1).toMatchObject({ type: 'ok', value: { room: 'room-1', content: 'msg-1', id: expect.any(String), sequence: expect.any(Number) } });
    await b.invoke({ f: 'publish', value: { room: 'room-1', content: 'msg-2' } }, never);
    await settle();
    const fa = await poll(a);
    const fb = await poll(b);
    expect(own(fa).filter((x) => x.endsWith(':live'))).toEqual(own(fb).filter((x) => x.endsWith(':live')));
    expect(own(fa).filter((x) => x.includes('msg-')).length).toBe(2);
    // join/leave notices are messages too, with their own sequence numbers
    const seqs = fa.map((f) => f.sequence);
    expect(new Set(seqs).size).toBe(seqs.length);

    expect(await b.invoke({ f: 'reconnect' }, never)).toEqual({ type: 'ok', node: 'chat1' });
    const p3 = await a.invoke({ f: 'publish', value: { room: 'room-1', content: 'msg-3' } }, never);
    await settle();
    expect(own(await poll(b))).toContain(`msg-3@${(p3.value as ChatFrame).sequence}:live`);
    expect(await b.invoke({ f: 'catch-up' }, never)).toEqual({ type: 'ok', node: 'chat1' });
    expect(await poll(b)).toEqual([]);
  });

  it('after a server restart the client reconnects and sequences continue', async () => {
    const cluster = await harness.start('chat');
    const a = await clientFor(0);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    const before = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1' } }, never);
    await cluster.kill('chat1');
    // The first publish may be written before the client has seen its socket close: unknown (info)
    // is then the honest answer. Once the close is seen, a publish is refused without sending (fail).
    const first = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm2' } }, never);
    expect(['fail', 'info']).toContain(first.type);
    expect(await a.invoke({ f: 'publish', value: { room: 'r', content: 'm2b' } }, never)).toMatchObject({ type: 'fail' });
    await cluster.restart('chat1');
    const after = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm3' } }, never);
    expect(after.type).toBe('ok');
    expect((after.value as ChatFrame).sequence).toBeGreaterThan((before.value as ChatFrame).sequence);
  });

  it('BUGS=sequence-reset: after a restart a sequence names a second message', async () => {
    const cluster = await harness.start('chat', { bugs: ['sequence-reset'] });
    const a = await clientFor(0);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    for (const m of ['m1', 'm2', 'm3']) await a.invoke({ f: 'publish', value: { room: 'r', content: m } }, never);
    await cluster.kill('chat1');
    await cluster.restart('chat1');
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm4' } }, never);
    await settle();
    const frames = await poll(a);
    const bySeq = new Map<number, Set<string>>();
    for (const f of frames) bySeq.set(f.sequence, (bySeq.get(f.sequence) ?? new Set()).add(f.id));
    expect([...bySeq.values()].some((ids) => ids.size > 1)).toBe(true);
  });

  it('BUGS=oldest-history: a course-style client (no gap fill) that joins late misses messages for good', async () => {
    await harness.start('chat', { bugs: ['oldest-history'], env: { JOIN_HISTORY: '3' } });
    const a = await clientFor(0);
    const late = await clientFor(1, { gapFill: false, catchUpFrom: 'last-seen' });
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    for (let i = 1; i <= 8; i++) await a.invoke({ f: 'publish', value: { room: 'r', content: `m${i}` } }, never);
    await late.invoke({ f: 'join', value: { room: 'r' } }, never);
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm9' } }, never);
    await settle();
    await late.invoke({ f: 'catch-up' }, never);
    const seqs = (await poll(late)).map((f) => f.sequence).sort((x, y) => x - y);
    // the oldest 3 and then the live ones: a hole in between that the catch-up did not fill
    expect(seqs.slice(0, 3)).toEqual([1, 2, 3]);
    expect(seqs.at(-1)! - seqs[0]! + 1).toBeGreaterThan(seqs.length);
  });

  it('BUGS=no-gap-fill: history requests come back empty, so what a reconnect missed stays missing', async () => {
    await harness.start('chat', { bugs: ['no-gap-fill'], env: { JOIN_HISTORY: '1' } });
    const a = await clientFor(0);
    const b = await clientFor(1, { reconnectPauseMs: 300 });
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    await b.invoke({ f: 'join', value: { room: 'r' } }, never);
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm0' } }, never);
    await settle();
    const offline = b.invoke({ f: 'reconnect' }, never);
    await settle(50);
    for (let i = 1; i <= 5; i++) await a.invoke({ f: 'publish', value: { room: 'r', content: `m${i}` } }, never);
    expect(await offline).toMatchObject({ type: 'ok' });
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm6' } }, never);
    await settle();
    await b.invoke({ f: 'catch-up' }, never);
    const contents = (await poll(b)).map((f) => f.content);
    expect(contents).toContain('m0');
    expect(contents).toContain('m6');
    expect(contents).not.toContain('m2');
  });

  it('a resend after a restart is answered by the stored copy; a server that forgets its clientMsgIds stores it twice', async () => {
    for (const mutant of [undefined, 'chat-dedup-not-restored']) {
      const cluster = await harness.start('chat', mutant ? { env: { FAULTLINE_MUTANT: mutant } } : {});
      const a = await clientFor(0);
      await a.invoke({ f: 'join', value: { room: 'r' } }, never);
      const first = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1' } }, never);
      await cluster.kill('chat1');
      await cluster.restart('chat1');
      let again = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1', resend: true } }, never);
      if (again.type === 'fail') again = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1', resend: true } }, never);
      if (mutant) expect((again.value as ChatFrame).sequence).toBeGreaterThan((first.value as ChatFrame).sequence);
      else expect(again).toMatchObject({ type: 'ok', value: first.value as object });
      await harness.stop();
    }
  });

  it('a history op reads a page from a recent boundary and records what came back', async () => {
    await harness.start('chat');
    const a = await clientFor(0);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    for (let i = 1; i <= 6; i++) await a.invoke({ f: 'publish', value: { room: 'r', content: `m${i}` } }, never);
    const out = await a.invoke({ f: 'history', value: { room: 'r', back: 4, limit: 3 } }, never);
    // the join notice is sequence 1, m1..m6 are 2..7: since 7 - 4 = 3, three messages
    expect(out).toMatchObject({ type: 'ok', value: { room: 'r', since: 3, limit: 3, lastSequence: 7 } });
    expect((out.value as { messages: { sequence: number; content: string }[] }).messages.map((m) => `${m.content}@${m.sequence}`)).toEqual(['m3@4', 'm4@5', 'm5@6']);
  });

  it('a sender the server skips finds its own message in history: the publish says via history', async () => {
    await harness.start('chat', { env: { FAULTLINE_MUTANT: 'chat-no-self-echo' } });
    const a = await clientFor(0);
    const b = await clientFor(1);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    await b.invoke({ f: 'join', value: { room: 'r' } }, never);
    const mine = a.invoke({ f: 'publish', value: { room: 'r', content: 'mine' } }, never);
    await settle(50);
    // b's message reaches a live: a sees the gap where its own message is and asks history
    await b.invoke({ f: 'publish', value: { room: 'r', content: 'theirs' } }, never).catch(() => undefined);
    expect(await mine).toMatchObject({ type: 'ok', value: { content: 'mine', via: 'history' } });
  });
});
