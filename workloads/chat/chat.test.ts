import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { Random } from '../../core/random.js';
import type { NodeEndpoint, OpCall, WorkloadClient } from '../../core/workload.js';
import { chat } from './index.js';
import type { ChatFrame } from './options.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const never = new AbortController().signal;

interface Msg {
  id: string;
  room: string;
  user: string;
  content: string;
  sequence: number;
  timestamp: number;
}

/** The course chat in a few lines; `drop` decides whether a live frame to a user is lost; with
 *  `dedup`, a message whose clientMsgId the room has is answered with the stored copy to its sender only. */
async function fakeChat(drop: (user: string, m: Msg) => boolean = () => false, { dedup = false } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const rooms = new Map<string, { seq: number; messages: Msg[]; members: Set<WebSocket> }>();
  const users = new Map<WebSocket, string>();
  const requests: unknown[] = [];
  const byClientMsgId = new Map<string, Msg>();
  let n = 0;
  const room = (name: string) => {
    let r = rooms.get(name);
    if (!r) rooms.set(name, (r = { seq: 0, messages: [], members: new Set() }));
    return r;
  };
  wss.on('connection', (ws) => {
    const user = `user-${++n}`;
    users.set(ws, user);
    ws.send(JSON.stringify({ type: 'connected', data: { clientId: `c${n}`, user } }));
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; room?: string; since?: number; data?: { room: string; content: string; clientMsgId?: string } };
      requests.push(m);
      if (m.type === 'join' && m.room) {
        const r = room(m.room);
        r.members.add(ws);
        ws.send(JSON.stringify({ type: 'history', data: { room: m.room, messages: r.messages.slice(-50) } }));
      } else if (m.type === 'history' && m.room) {
        const r = room(m.room);
        const since = m.since ?? 0;
        ws.send(JSON.stringify({ type: 'history', data: { room: m.room, messages: r.messages.filter((x) => x.sequence > since).slice(0, 100) } }));
      } else if (m.type === 'message' && m.data) {
        const r = room(m.data.room);
        const stored = dedup && m.data.clientMsgId !== undefined ? byClientMsgId.get(m.data.clientMsgId) : undefined;
        if (stored) {
          ws.send(JSON.stringify({ type: 'message', data: stored }));
          return;
        }
        const msg: Msg = { id: `id-${r.seq + 1}-${m.data.room}`, room: m.data.room, user, content: m.data.content, sequence: ++r.seq, timestamp: Date.now() };
        r.messages.push(msg);
        if (m.data.clientMsgId !== undefined) byClientMsgId.set(m.data.clientMsgId, msg);
        for (const member of r.members) {
          if (!drop(users.get(member) ?? '', msg)) member.send(JSON.stringify({ type: 'message', data: msg }));
        }
      }
    });
    ws.on('close', () => {
      for (const r of rooms.values()) r.members.delete(ws);
    });
  });
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    });
  cleanup.push(stop);
  const node: NodeEndpoint = { id: 'chat', url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
  return { node, requests, rooms, wss, stop };
}

async function client(node: NodeEndpoint, process: number, options: unknown = {}): Promise<WorkloadClient> {
  const c = await chat.client(chat.options.parse(options), { nodes: [node], process, timeoutMs: 1000, random: new Random(1) });
  cleanup.push(() => c.close());
  return c;
}

async function poll(c: WorkloadClient): Promise<ChatFrame[]> {
  const out = await c.invoke({ f: 'poll' }, never);
  expect(out.type).toBe('ok');
  return out.value as ChatFrame[];
}

describe('chat generator', () => {
  it('joins its rooms first, then publishes unique contents; deterministic', () => {
    const opts = chat.options.parse({ rooms: 3, roomsPerClient: 2 });
    const run = (seed: number): OpCall[] => {
      const gen = chat.generator(opts, new Random(seed));
      const r = new Random(seed);
      return Array.from({ length: 120 }, (_, i) => gen.next(i % 2, r));
    };
    const ops = run(3);
    expect(run(3)).toEqual(ops);
    expect(ops.slice(0, 4)).toEqual([
      { f: 'join', value: { room: 'room-1' } },
      { f: 'join', value: { room: 'room-2' } },
      { f: 'join', value: { room: 'room-2' } },
      { f: 'join', value: { room: 'room-3' } },
    ]);
    const publishes = ops.filter((o) => o.f === 'publish').map((o) => o.value as { content: string; resend?: boolean });
    const contents = publishes.filter((v) => !v.resend).map((v) => v.content);
    expect(contents.length).toBeGreaterThan(40);
    expect(new Set(contents).size).toBe(contents.length);
    // deliberate resends repeat a content the same process published before
    const resends = ops.map((o, i) => [o, i] as const).filter(([o]) => o.f === 'publish' && (o.value as { resend?: boolean }).resend);
    expect(resends.length).toBeGreaterThan(0);
    for (const [o, i] of resends) {
      const earlier = ops.slice(0, i).filter((e, j) => j % 2 === i % 2 && e.f === 'publish').map((e) => (e.value as { content: string }).content);
      expect(earlier).toContain((o.value as { content: string }).content);
    }
    expect(ops.some((o) => o.f === 'reconnect')).toBe(true);
    expect(chat.generator(opts, new Random(1)).final(0)).toEqual([{ f: 'catch-up' }, { f: 'poll' }]);
  });

  it('resends a publish left unknown with the same content, at most maxRetries times; never without dedup', () => {
    const opts = chat.options.parse({ rooms: 1, maxRetries: 2, weights: { publish: 1, poll: 0, reconnect: 0, history: 0, resend: 0 } });
    const gen = chat.generator(opts, new Random(1));
    const r = new Random(2);
    gen.next(0, r); // join
    const first = gen.next(0, r);
    expect(first).toEqual({ f: 'publish', value: { room: 'room-1', content: 'msg-1' } });
    gen.update?.(0, first, { type: 'info', error: 'timeout' }); // process 0 is retired; 10 takes its place
    gen.next(10, r); // join
    const retry = gen.next(10, r);
    expect(retry).toEqual({ f: 'publish', value: { room: 'room-1', content: 'msg-1', resend: true } });
    gen.update?.(10, retry, { type: 'fail', error: 'connect: ECONNREFUSED' }); // not sent: owed, not counted
    expect(gen.next(10, r)).toEqual(retry);
    gen.update?.(10, retry, { type: 'info', error: 'socket closed' });
    gen.next(20, r); // join
    expect(gen.next(20, r)).toEqual(retry);
    gen.update?.(20, retry, { type: 'info', error: 'socket closed' });
    gen.next(30, r); // join
    expect(gen.next(30, r)).toEqual({ f: 'publish', value: { room: 'room-1', content: 'msg-2' } }); // gave up after 2
    const failed = gen.next(30, r);
    gen.update?.(30, failed, { type: 'fail', error: 'socket not open' }); // certainly not sent: no resend
    expect(gen.next(30, r)).toMatchObject({ value: { content: 'msg-4' } });

    const plain = chat.generator(chat.options.parse({ rooms: 1, dedup: false, weights: { resend: 5 } }), new Random(1));
    const ops = Array.from({ length: 200 }, () => plain.next(0, r));
    const p = ops.find((o) => o.f === 'publish')!;
    plain.update?.(0, p, { type: 'info' });
    ops.push(plain.next(0, r));
    expect(ops.some((o) => (o.value as { resend?: boolean } | undefined)?.resend)).toBe(false);
  });

  it('a message given up (maxRetries, or dropped by a fresh process outside its room) is no longer owed: a later deliberate resend of it that cannot be sent is not retried, one left unknown is retried afresh', () => {
    const opts = chat.options.parse({ rooms: 2, roomsPerClient: 1, maxRetries: 1, weights: { publish: 1, poll: 0, reconnect: 0, history: 0, resend: 0 } });
    const gen = chat.generator(opts, new Random(1));
    const r = new Random(2);
    const notSent = { type: 'fail', error: 'socket not open' } as const;
    gen.next(0, r); // join room-1
    const given = gen.next(0, r);
    const resend = { f: 'publish', value: { ...(given.value as object), resend: true } };
    gen.update?.(0, given, { type: 'info' });
    gen.next(2, r); // join room-1 (process 2 takes over: same room)
    expect(gen.next(2, r)).toEqual(resend);
    gen.update?.(2, resend, { type: 'info' }); // the one retry left unknown: given up
    gen.next(4, r); // join room-1
    const fresh = gen.next(4, r);
    expect(fresh.value).not.toHaveProperty('resend');
    // the user resends it on purpose and it cannot be sent: nothing owed
    gen.update?.(4, resend, notSent);
    expect(gen.next(4, r).value).not.toHaveProperty('resend');
    // resent on purpose and left unknown: retried (its earlier tries were forgotten when it was given up)
    gen.update?.(4, resend, { type: 'info' });
    gen.next(6, r); // join room-1
    expect(gen.next(6, r)).toEqual(resend);

    // a retry the fresh process cannot send (not in its rooms) is dropped, and its count with it
    gen.next(1, r); // join room-2
    const other = gen.next(1, r);
    const otherResend = { f: 'publish', value: { ...(other.value as object), resend: true } };
    gen.update?.(1, other, { type: 'info' }); // owed; process 1 retired
    expect(gen.next(8, r)).toEqual({ f: 'join', value: { room: 'room-1' } }); // takes over 1's outbox: not its room
    expect(gen.next(8, r).value).not.toHaveProperty('resend');
    gen.next(3, r); // join room-2
    gen.update?.(3, otherResend, notSent); // resent on purpose, not sent: nothing owed
    expect(gen.next(3, r).value).not.toHaveProperty('resend');
  });

  it('a process retired after info hands its outbox (the resend it owes, its recent messages) to the next fresh process', () => {
    const opts = chat.options.parse({ rooms: 2, roomsPerClient: 1, weights: { publish: 1, poll: 0, reconnect: 0, history: 0, resend: 0 } });
    const gen = chat.generator(opts, new Random(1));
    const r = new Random(2);
    gen.next(0, r); // join room-1
    const lost = gen.next(0, r);
    gen.update?.(0, lost, { type: 'info', error: 'socket closed' });
    // process 4 (0 + concurrency) takes over: it joins room-1 first, then resends
    expect(gen.next(4, r)).toEqual({ f: 'join', value: { room: 'room-1' } });
    expect(gen.next(4, r)).toEqual({ f: 'publish', value: { ...(lost.value as object), resend: true } });
    // a fresh process in another room does not inherit a room-1 message
    gen.update?.(4, { f: 'publish', value: { room: 'room-1', content: 'msg-9' } }, { type: 'info' });
    expect(gen.next(5, r)).toEqual({ f: 'join', value: { room: 'room-2' } });
    expect(gen.next(5, r)).toMatchObject({ f: 'publish', value: { room: 'room-2' } });
    expect(gen.next(5, r).value).not.toHaveProperty('resend');
  });

  it('asks to join again after a failed join', () => {
    const gen = chat.generator(chat.options.parse({ rooms: 1 }), new Random(1));
    const r = new Random(2);
    const join = gen.next(0, r);
    gen.update?.(0, join, { type: 'fail', error: 'connect refused' });
    expect(gen.next(0, r)).toEqual(join);
  });
});

describe('chat client against a fake chat server', () => {
  it('publish is acknowledged by its own echo; every client records live frames in order', async () => {
    const { node } = await fakeChat();
    const a = await client(node, 0);
    const b = await client(node, 1);
    expect(await a.invoke({ f: 'join', value: { room: 'r' } }, never)).toEqual({ type: 'ok', node: 'chat' });
    expect(await b.invoke({ f: 'join', value: { room: 'r' } }, never)).toMatchObject({ type: 'ok' });
    const p1 = await a.invoke({ f: 'publish', value: { room: 'r', content: 'msg-1' } }, never);
    expect(p1).toEqual({ type: 'ok', node: 'chat', value: { room: 'r', content: 'msg-1', id: 'id-1-r', sequence: 1 } });
    await b.invoke({ f: 'publish', value: { room: 'r', content: 'msg-2' } }, never);
    const fa = await poll(a);
    expect(fa.map((f) => [f.content, f.sequence, f.via])).toEqual([
      ['msg-1', 1, 'live'],
      ['msg-2', 2, 'live'],
    ]);
    expect(fa[0]).toEqual({ room: 'r', id: 'id-1-r', sequence: 1, content: 'msg-1', user: 'user-1', via: 'live' });
    await new Promise((r) => setTimeout(r, 50));
    expect((await poll(b)).map((f) => f.content)).toEqual(['msg-1', 'msg-2']);
    expect(await poll(a)).toEqual([]); // since the last poll
  });

  it('fills a sequence gap from history (once, without duplicates)', async () => {
    const { node, requests } = await fakeChat((user, m) => user === 'user-2' && m.sequence === 2);
    const a = await client(node, 0);
    const b = await client(node, 1);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    await b.invoke({ f: 'join', value: { room: 'r' } }, never);
    for (let i = 1; i <= 3; i++) await a.invoke({ f: 'publish', value: { room: 'r', content: `m${i}` } }, never);
    await new Promise((r) => setTimeout(r, 100));
    const fb = await poll(b);
    expect(fb.map((f) => `${f.sequence}:${f.via}`)).toEqual(['1:live', '3:live', '2:history']);
    expect(requests).toContainEqual({ type: 'history', room: 'r', since: 1 });
  });

  it('does not ask for history when gapFill is off', async () => {
    const { node, requests } = await fakeChat((user, m) => user === 'user-2' && m.sequence === 1);
    const a = await client(node, 0);
    const b = await client(node, 1, { gapFill: false });
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    await b.invoke({ f: 'join', value: { room: 'r' } }, never);
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1' } }, never);
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm2' } }, never);
    await new Promise((r) => setTimeout(r, 100));
    expect((await poll(b)).map((f) => f.sequence)).toEqual([2]);
    expect(requests.filter((r) => (r as { type: string }).type === 'history')).toEqual([]);
  });

  it('reconnect rejoins its rooms and history covers what it missed; catch-up asks since the last sequence', async () => {
    const { node, requests } = await fakeChat();
    const a = await client(node, 0);
    const b = await client(node, 1);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    await b.invoke({ f: 'join', value: { room: 'r' } }, never);
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1' } }, never);
    await new Promise((r) => setTimeout(r, 50));
    await poll(b);
    expect(await b.invoke({ f: 'reconnect' }, never)).toEqual({ type: 'ok', node: 'chat' });
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm2' } }, never);
    await new Promise((r) => setTimeout(r, 50));
    // after the reconnect: join history (m1 was already recorded, so only once) then m2 live
    expect((await poll(b)).map((f) => `${f.content}:${f.via}`)).toEqual(['m2:live']);
    expect(await b.invoke({ f: 'catch-up' }, never)).toMatchObject({ type: 'ok' });
    expect(requests.at(-1)).toEqual({ type: 'history', room: 'r', since: 2 });
    expect(await poll(b)).toEqual([]);
  });

  it('sends clientMsgId; a resend after a reconnect is acknowledged by the stored copy, recorded once and never as live', async () => {
    const { node, requests } = await fakeChat(() => false, { dedup: true });
    const a = await client(node, 0);
    const b = await client(node, 1);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    await b.invoke({ f: 'join', value: { room: 'r' } }, never);
    const first = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1' } }, never);
    expect(requests).toContainEqual({ type: 'message', data: { room: 'r', content: 'm1', clientMsgId: 'm1' } });
    await a.invoke({ f: 'reconnect' }, never); // a new user name for a
    const again = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1', resend: true } }, never);
    expect(again).toEqual(first);
    await new Promise((r) => setTimeout(r, 50));
    expect((await poll(a)).map((f) => `${f.content}:${f.via}`)).toEqual(['m1:live']);
    expect((await poll(b)).map((f) => `${f.content}:${f.via}`)).toEqual(['m1:live']);
  });

  it('a fresh client resends a predecessor\'s message: acknowledged by the stored copy under the old user, not recorded when older than its start', async () => {
    const { node } = await fakeChat(() => false, { dedup: true });
    const a = await client(node, 0);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    const first = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1' } }, never);
    for (let i = 2; i <= 60; i++) await a.invoke({ f: 'publish', value: { room: 'r', content: `m${i}` } }, never);
    const heir = await client(node, 4);
    await heir.invoke({ f: 'join', value: { room: 'r' } }, never); // history: the last 50, m11..m60
    await poll(heir);
    expect(await heir.invoke({ f: 'publish', value: { room: 'r', content: 'm1', resend: true } }, never)).toEqual(first);
    const again = await heir.invoke({ f: 'publish', value: { room: 'r', content: 'm55', resend: true } }, never);
    expect(again).toMatchObject({ type: 'ok', value: { content: 'm55', sequence: 55 } });
    expect(await poll(heir)).toEqual([]); // m1 predates it, m55 it already had from history
  });

  it('a resend answered by a new message (no dedup on the server) is recorded as via resend for its sender, live for the others', async () => {
    const { node } = await fakeChat();
    const a = await client(node, 0);
    const b = await client(node, 1);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    await b.invoke({ f: 'join', value: { room: 'r' } }, never);
    await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1' } }, never);
    const again = await a.invoke({ f: 'publish', value: { room: 'r', content: 'm1', resend: true } }, never);
    expect(again).toMatchObject({ type: 'ok', value: { content: 'm1', sequence: 2 } });
    await new Promise((r) => setTimeout(r, 50));
    expect((await poll(a)).map((f) => `${f.content}@${f.sequence}:${f.via}`)).toEqual(['m1@1:live', 'm1@2:resend']);
    expect((await poll(b)).map((f) => `${f.content}@${f.sequence}:${f.via}`)).toEqual(['m1@1:live', 'm1@2:live']);
    const plain = await client(node, 2, { dedup: false });
    await plain.invoke({ f: 'join', value: { room: 'r' } }, never);
    expect(await plain.invoke({ f: 'publish', value: { room: 'r', content: 'm1', resend: true } }, never)).toMatchObject({ type: 'fail' });
  });

  it('a server that is down makes ops fail; a server that closes mid-publish makes it info', async () => {
    const { node, wss, stop } = await fakeChat();
    const a = await client(node, 0);
    await a.invoke({ f: 'join', value: { room: 'r' } }, never);
    wss.removeAllListeners('connection');
    for (const ws of wss.clients) {
      ws.removeAllListeners('message');
      ws.on('message', () => ws.terminate());
    }
    const out = await a.invoke({ f: 'publish', value: { room: 'r', content: 'lost?' } }, never);
    expect(out).toMatchObject({ type: 'info', node: 'chat' });
    await stop(); // the server is gone
    const next = await a.invoke({ f: 'publish', value: { room: 'r', content: 'x' } }, never);
    expect(next).toMatchObject({ type: 'fail', node: 'chat' });
    expect(next.error).toMatch(/connect/);
  });
});
