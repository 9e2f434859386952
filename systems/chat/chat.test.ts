/**
 * The chat server as a real process on 127.0.0.1 with real WebSocket clients
 * (build first: `npx tsc -p .`).
 */
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadDescriptor } from '../../harness/descriptor.js';
import { builtEntry, freePort, killAll, root, sleep, spawnNode, type Spawned } from '../common/testing.js';
import { CHAT_BUGS } from './server.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- assertions on JSON frames */
type Frame = { type: string; data?: any };

let serverJs: string;
const dirs: string[] = [];
const sockets = new Set<WebSocket>();

beforeAll(() => {
  serverJs = builtEntry('dist/systems/chat/main.js');
});
afterEach(async () => {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
  await killAll();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Server {
  port: number;
  dir: string;
  env: Record<string, string>;
  proc: Spawned;
}

async function startServer(env: Record<string, string> = {}, reuse?: Server): Promise<Server> {
  const port = reuse?.port ?? (await freePort());
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'faultline-chat-'));
  if (!reuse) dirs.push(dir);
  const fullEnv = reuse?.env ?? { PORT: String(port), DATA_DIR: dir, NODE_ID: 'chat1', ...env };
  const proc = spawnNode(serverJs, fullEnv);
  await proc.waitFor(/listening on/);
  return { port, dir, env: fullEnv, proc };
}

async function restart(s: Server): Promise<Server> {
  await s.proc.kill('SIGKILL');
  return startServer({}, s);
}

/** A test client: every frame it received, and a way to wait for the next ones. */
class Peer {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const w of this.waiters) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters) w();
    });
    ws.on('error', () => undefined);
  }

  static async open(server: Server, user?: string): Promise<Peer> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/${user ? `?user=${encodeURIComponent(user)}` : ''}`);
    sockets.add(ws);
    const peer = new Peer(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await peer.next((f) => f.type === 'connected');
    return peer;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame from `from` on that matches. */
  next(match: (f: Frame) => boolean, from = 0, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.slice(from).find(match);
        if (found) done(() => resolve(found));
        else if (this.closeCode !== undefined) done(() => reject(new Error(`socket closed (${this.closeCode})`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no matching frame; got ${JSON.stringify(this.frames.slice(from))}`))), timeoutMs);
      const done = (then: () => void) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        then();
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Sends a frame and resolves with the first matching answer after it. */
  ask(frame: unknown, match: (f: Frame) => boolean): Promise<Frame> {
    const from = this.frames.length;
    this.send(frame);
    return this.next(match, from);
  }

  join(room: string): Promise<Frame> {
    return this.ask({ type: 'join', room }, (f) => f.type === 'history' && f.data.room === room);
  }

  /** Publishes and waits for the message to come back. */
  async say(room: string, content: string, clientMsgId?: string): Promise<any> {
    const data = clientMsgId ? { room, content, clientMsgId } : { room, content };
    return (await this.ask({ type: 'message', data }, (f) => f.type === 'message' && f.data.content === content)).data;
  }

  history(room: string, since?: number, limit?: number): Promise<any[]> {
    return this.ask({ type: 'history', room, since, limit }, (f) => f.type === 'history' && f.data.room === room).then((f) => f.data.messages);
  }

  messages(room: string): any[] {
    return this.frames.filter((f) => f.type === 'message' && f.data.room === room).map((f) => f.data);
  }

  close(): void {
    this.ws.terminate();
  }
}

const seqs = (messages: any[]) => messages.map((m) => m.sequence);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('chat: the course protocol', () => {
  it('answers with the course frame shapes', async () => {
    const s = await startServer({ HEARTBEAT_MS: '100', PRESENCE_TIMEOUT_MS: '400' });
    const alice = await Peer.open(s, 'alice');
    expect(alice.frames[0]).toEqual({ type: 'connected', data: { clientId: expect.any(String), user: 'alice' } });
    const joined = await alice.join('general');
    expect(joined).toEqual({ type: 'history', data: { room: 'general', messages: [], lastSequence: 0 } });
    const notice = await alice.next((f) => f.type === 'message');
    expect(notice.data).toMatchObject({ room: 'general', user: 'system', sequence: 1, notice: 'join', content: 'alice joined the room' });

    const msg = await alice.say('general', 'hello');
    expect(msg).toEqual({ id: expect.any(String), room: 'general', user: 'alice', content: 'hello', sequence: 2, timestamp: expect.any(String) });
    expect(Number.isNaN(Date.parse(msg.timestamp))).toBe(false);
    expect(JSON.parse(readFileSync(join(s.dir, 'messages', 'general', '2.json'), 'utf8'))).toEqual(msg);

    const presence = await alice.ask({ type: 'presence', room: 'general' }, (f) => f.type === 'presence');
    expect(presence.data).toEqual({ room: 'general', users: [{ user: 'alice', status: 'online', lastSeen: expect.any(String) }] });
    await alice.next((f) => f.type === 'heartbeat');
    await sleep(600); // alice says nothing: offline after PRESENCE_TIMEOUT_MS
    const later = await alice.ask({ type: 'presence', room: 'general' }, (f) => f.type === 'presence');
    // the presence request itself counts as a sign of life, so ask from a second client
    expect(later.data.users[0].status).toBe('online');
    const bob = await Peer.open(s, 'bob');
    await sleep(600);
    const seen = await bob.ask({ type: 'presence', room: 'general' }, (f) => f.type === 'presence');
    expect(seen.data.users).toEqual([{ user: 'alice', status: 'offline', lastSeen: expect.any(String) }]);

    const health = await fetch(`http://127.0.0.1:${s.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', nodeId: 'chat1', clients: 2 });
  });

  it('sends the most recent 50 on join and fills a gap from history since', async () => {
    const s = await startServer();
    const a = await Peer.open(s, 'a');
    await a.join('r');
    for (let i = 1; i <= 60; i++) await a.say('r', `m${i}`);
    const b = await Peer.open(s, 'b');
    const joined = await b.join('r');
    expect(seqs(joined.data.messages)).toEqual(range(12, 61)); // 1 is a's join notice
    expect(joined.data.lastSequence).toBe(61);
    expect(seqs(await b.history('r', 5))).toEqual(range(6, 62)); // 62 is b's join notice
    expect(seqs(await b.history('r', 5, 3))).toEqual([6, 7, 8]);
    expect(seqs(await b.history('r', 62))).toEqual([]);
    expect(seqs(await b.history('r', undefined, 2))).toEqual([61, 62]);
  });

  it('stores a resend with the same clientMsgId once', async () => {
    const s = await startServer();
    const a = await Peer.open(s, 'a');
    const b = await Peer.open(s, 'b');
    await a.join('r');
    await b.join('r');
    const first = await a.say('r', 'once', 'client-1');
    const from = a.frames.length;
    a.send({ type: 'message', data: { room: 'r', content: 'once', clientMsgId: 'client-1' } });
    const again = (await a.next((f) => f.type === 'message', from)).data;
    expect(again).toEqual(first);
    await b.say('r', 'after');
    expect(b.messages('r').filter((m) => m.content === 'once')).toHaveLength(1);
    expect((await a.history('r', 0)).filter((m) => m.content === 'once')).toHaveLength(1);
  });

  it('delivers every message to every client of a room in one order', async () => {
    const s = await startServer();
    const peers = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((u) => Peer.open(s, u)));
    for (const p of peers) await p.join('room');
    const start = 4; // the four join notices
    await Promise.all(peers.map((p) => p.next((f) => f.type === 'message' && f.data.sequence === start)));
    await Promise.all(
      peers.map(async (p, i) => {
        for (let k = 0; k < 25; k++) {
          p.send({ type: 'message', data: { room: 'room', content: `${i}-${k}` } });
          if (k % 5 === 0) await sleep(1);
        }
      }),
    );
    const total = start + 100;
    await Promise.all(peers.map((p) => p.next((f) => f.type === 'message' && f.data.sequence === total)));
    const views = peers.map((p) => p.messages('room').filter((m) => m.sequence > start));
    for (const view of views) {
      expect(seqs(view)).toEqual(range(start + 1, total));
      expect(view.map((m) => m.id)).toEqual(views[0]!.map((m) => m.id));
    }
    expect(new Set(views[0]!.map((m) => m.content)).size).toBe(100);
  });
});

describe('chat: crash recovery', () => {
  it('continues the sequences after a SIGKILL mid-stream, with no gap and no duplicate', async () => {
    let s = await startServer();
    let writer = await Peer.open(s, 'writer');
    let reader = await Peer.open(s, 'reader');
    await writer.join('r');
    await reader.join('r');
    const acked = new Map<string, number>(); // clientMsgId -> sequence
    let unacked: string[] = [];
    // publish without waiting; kill the server while frames are in flight
    const sendBurst = (from: number, to: number) => {
      for (let i = from; i < to; i++) writer.send({ type: 'message', data: { room: 'r', content: `c${i}`, clientMsgId: `id-${i}` } });
    };
    sendBurst(0, 200);
    await writer.next((f) => f.type === 'message' && f.data.content === 'c20');
    await s.proc.kill('SIGKILL');
    for (const m of writer.messages('r')) if (m.clientMsgId) acked.set(m.clientMsgId, m.sequence);
    unacked = range(0, 199).map((i) => `id-${i}`).filter((id) => !acked.has(id));
    expect(acked.size).toBeGreaterThan(0);
    expect(unacked.length).toBeGreaterThan(0);
    const seenBefore = Math.max(...seqs(reader.messages('r')));

    s = await restart(s);
    writer = await Peer.open(s, 'writer');
    reader = await Peer.open(s, 'reader2');
    await writer.join('r');
    const rejoined = await reader.join('r');
    expect(rejoined.data.lastSequence).toBeGreaterThanOrEqual(seenBefore);
    // the writer resends what it did not see acknowledged, with the same clientMsgIds, then goes on
    for (const id of unacked) await writer.say('r', `c${id.slice(3)}`, id);
    for (let i = 200; i < 220; i++) await writer.say('r', `c${i}`, `id-${i}`);

    const all = await reader.history('r', 0, 1000);
    expect(seqs(all)).toEqual(range(1, all.length));
    const ids = all.filter((m) => m.clientMsgId).map((m) => m.clientMsgId);
    expect(ids).toHaveLength(220);
    expect(new Set(ids).size).toBe(220);
    for (const [id, sequence] of acked) expect(all[sequence - 1]).toMatchObject({ clientMsgId: id, sequence });
  });
});

describe('chat: bad input', () => {
  it('answers bad frames with an error frame and never crashes', async () => {
    const s = await startServer({ MAX_FRAME_BYTES: String(64 * 1024) });
    const p = await Peer.open(s, 'p');
    const error = (frame: unknown) => p.ask(frame, (f) => f.type === 'error').then((f) => f.data.message as string);
    expect(await error('{not json')).toBe('Invalid JSON');
    expect(await error('[1,2]')).toMatch(/JSON object/);
    expect(await error({ type: 'dance' })).toBe('Unknown message type: dance');
    expect(await error({ type: 'join' })).toBe('room must be a non-empty string');
    expect(await error({ type: 'join', room: 'x'.repeat(500) })).toBe('room is too long');
    expect(await error({ type: 'message', data: { room: 'r' } })).toBe('data.content must be a non-empty string');
    expect(await error({ type: 'message', room: 'r', content: 'c' })).toMatch(/needs data/);
    expect(await error({ type: 'message', data: { room: 'r', content: 'c', clientMsgId: 7 } })).toMatch(/clientMsgId/);
    expect(await error({ type: 'history', room: 'r', since: -1 })).toMatch(/since must be an integer/);
    expect(await error({ type: 'history', room: 'r', since: 0, limit: 0 })).toMatch(/limit/);
    expect(await error({ type: 'leave', room: 'never-joined' })).toBe('Not in room never-joined');
    const binary = p.frames.length;
    p.ws.send(Buffer.from([1, 2, 3]));
    expect((await p.next((f) => f.type === 'error', binary)).data.message).toMatch(/Binary/);

    const big = await Peer.open(s, 'big');
    big.send({ type: 'message', data: { room: 'r', content: 'x'.repeat(100 * 1024) } });
    await expect(big.next(() => false, 0, 3000)).rejects.toThrow(/socket closed \(1009\)/);

    expect((await fetch(`http://127.0.0.1:${s.port}/health`)).status).toBe(200);
    const notFound = await fetch(`http://127.0.0.1:${s.port}/nope`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: 'Not found' });
    await p.join('still-works');
    expect(s.proc.child.exitCode).toBeNull();
  });
});

describe('chat BUGS', () => {
  it('sequence-reset: after a restart sequences start at 1 again and overwrite stored messages', async () => {
    for (const bugs of ['', 'sequence-reset']) {
      let s = await startServer({ BUGS: bugs });
      let p = await Peer.open(s, 'p');
      await p.join('r');
      await p.say('r', 'one');
      await p.say('r', 'two');
      s = await restart(s);
      p = await Peer.open(s, 'p');
      p.send({ type: 'message', data: { room: 'r', content: 'three' } }); // without joining: the sender still gets it
      const three = (await p.next((f) => f.type === 'message' && f.data.content === 'three')).data;
      const stored = JSON.parse(readFileSync(join(s.dir, 'messages', 'r', '1.json'), 'utf8'));
      if (bugs) {
        expect(three.sequence).toBe(1);
        expect(stored.content).toBe('three');
      } else {
        expect(three.sequence).toBe(4);
        expect(stored.notice).toBe('join');
      }
      await killAll();
    }
  });

  it('no-gap-fill: a history request since a sequence answers nothing', async () => {
    for (const bugs of ['', 'no-gap-fill']) {
      const s = await startServer({ BUGS: bugs });
      const p = await Peer.open(s, 'p');
      await p.join('r');
      for (let i = 0; i < 5; i++) await p.say('r', `m${i}`);
      expect(seqs(await p.history('r', 3))).toEqual(bugs ? [] : [4, 5, 6]);
      await killAll();
    }
  });

  it('oldest-history: join sends the oldest 50 instead of the most recent', async () => {
    for (const bugs of ['', 'oldest-history']) {
      const s = await startServer({ BUGS: bugs, JOIN_HISTORY: '5' });
      const a = await Peer.open(s, 'a');
      await a.join('r');
      for (let i = 0; i < 9; i++) await a.say('r', `m${i}`);
      const b = await Peer.open(s, 'b');
      expect(seqs((await b.join('r')).data.messages)).toEqual(bugs ? [1, 2, 3, 4, 5] : [6, 7, 8, 9, 10]);
      await killAll();
    }
  });

  it('join-reuses-sequence: a join notice carries the sequence of the last message', async () => {
    for (const bugs of ['', 'join-reuses-sequence']) {
      const s = await startServer({ BUGS: bugs });
      const a = await Peer.open(s, 'a');
      await a.join('r');
      const last = await a.say('r', 'hello');
      const from = a.frames.length;
      const b = await Peer.open(s, 'b');
      await b.join('r');
      const notice = (await a.next((f) => f.type === 'message' && f.data.notice === 'join', from)).data;
      expect(notice.sequence).toBe(bugs ? last.sequence : last.sequence + 1);
      const next = await a.say('r', 'after');
      expect(next.sequence).toBe(last.sequence + (bugs ? 1 : 2));
      await killAll();
    }
  });

  it('default 50 on join holds with the real default', async () => {
    const s = await startServer({ BUGS: 'oldest-history' });
    const a = await Peer.open(s, 'a');
    await a.join('r');
    for (let i = 0; i < 55; i++) a.send({ type: 'message', data: { room: 'r', content: `m${i}` } });
    await a.next((f) => f.type === 'message' && f.data.content === 'm54');
    const b = await Peer.open(s, 'b');
    expect(seqs((await b.join('r')).data.messages)).toEqual(range(1, 50));
  });
});

describe('chat descriptor', () => {
  it('is valid and lists the bugs the server knows', () => {
    const d = loadDescriptor(join(root, 'systems/chat/system.yaml'));
    expect(d).toMatchObject({ name: 'chat', api: 'chat', protocol: 'ws', port: 8080, nodes: { default: 1, max: 1 }, health: { path: '/health' } });
    expect(d.bugs.map((b) => b.name).sort()).toEqual([...CHAT_BUGS].sort());
  });
});
