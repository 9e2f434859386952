/**
 * A client for the course's WebSocket chat. It keeps one socket, records every message frame it
 * receives (live or from history) for `poll`, asks for history when it sees a sequence gap, and
 * acknowledges a publish once its own message comes back (live, or found in a history answer:
 * then the publish says `via: "history"`, as the server skipped its sender). A `history` op reads a
 * page from a recent boundary and records the answer. History answers come in the order of the
 * requests on one socket, so each is matched to its request (a gap fill's has a placeholder).
 *
 * With `dedup`, every publish carries `clientMsgId` (its content); a resend (`resend: true`, the
 * same content) is answered by the server's stored copy, to the sender only, or by a new message
 * when the first never arrived: that answer acknowledges the resend and is recorded (once) with
 * `via: "resend"`, not as a live delivery. Every user name the server gave this client counts as
 * its own, since a resend after a reconnect gets back a message stored under an earlier one.
 *
 * Sending only happens on an open socket, so a socket that cannot be opened makes the op `fail`
 * (nothing reached the server); a socket that closes while we wait makes it `info`.
 */
import WebSocket from 'ws';
import type { ClientContext, NodeEndpoint, OpCall, OpOutcome, WorkloadClient } from '../../core/workload.js';
import type { ChatFrame, ChatOptions } from './options.js';

interface RoomState {
  /** Every sequence this client has received in the room. */
  seen: Set<number>;
  /** The highest sequence up to which nothing is missing (from where this client started). */
  contiguous: number;
  /** Where this client started (the sequence before its first history's first message). */
  from: number;
  /** Message ids already recorded, so history we asked for does not record a message twice. */
  ids: Set<string>;
  /** When the last history request for a gap went out (one at a time). */
  gapRequestAt?: number;
  /** A `history` op is waiting for its answer: no gap fill meanwhile. */
  reading?: boolean;
}

/** A history answer as the waiters get it. */
interface HistoryAnswer {
  messages: ChatFrame[];
  lastSequence: number | undefined;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

class SocketClosed extends Error {}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

function highest(seen: Iterable<number>): number {
  let max = 0;
  for (const s of seen) if (s > max) max = s;
  return max;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export class ChatClient implements WorkloadClient {
  private ws: WebSocket | undefined;
  private user = '';
  /** Every user name the server gave this client (one per connection). */
  private readonly users = new Set<string>();
  private readonly node: NodeEndpoint;
  /** Rooms this client wants to be in; rejoined after every (re)connect. */
  private readonly rooms = new Set<string>();
  private readonly state = new Map<string, RoomState>();
  private frames: ChatFrame[] = [];
  /** Publishes waiting for their own message, by content; `resend`: the publish is a resend. */
  private readonly publishes = new Map<string, { waiter: Waiter; resend: boolean }>();
  /** The history answers each room owes this socket, in request order; null for one nobody waits for. */
  private readonly histories = new Map<string, (Waiter | null)[]>();
  private lastError: string | undefined;

  constructor(
    private readonly options: ChatOptions,
    private readonly context: ClientContext,
  ) {
    if (context.nodes.length === 0) throw new Error('chat client: no nodes to talk to');
    this.node = context.nodes[context.process % context.nodes.length]!;
  }

  async invoke(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    const outcome = await this.dispatch(call, signal);
    return { node: this.node.id, ...outcome };
  }

  private async dispatch(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    const room = obj(call.value)?.room;
    switch (call.f) {
      case 'join': {
        if (typeof room !== 'string') return { type: 'fail', error: 'join: value.room must be a string' };
        this.rooms.add(room);
        const opened = await this.ensureOpen(signal, [room]);
        if (opened) return opened;
        return this.join(room, signal);
      }
      case 'publish':
        return this.publish(call, signal);
      case 'poll': {
        const frames = this.frames;
        this.frames = [];
        return { type: 'ok', value: frames };
      }
      case 'reconnect': {
        this.drop();
        if (this.options.reconnectPauseMs > 0) await sleep(this.options.reconnectPauseMs, signal);
        const opened = await this.ensureOpen(signal);
        return opened ?? { type: 'ok' };
      }
      case 'catch-up':
        return this.catchUp(signal);
      case 'history':
        return this.readHistory(call, signal);
      default:
        return { type: 'fail', error: `chat: unknown op "${call.f}"` };
    }
  }

  /** Opens the socket if needed and rejoins every room (but `skip`). An outcome when it failed. */
  private async ensureOpen(signal: AbortSignal, skip: string[] = []): Promise<OpOutcome | undefined> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return undefined;
    this.drop();
    try {
      await this.open(signal);
    } catch (err) {
      return { type: 'fail', error: `connect: ${(err as Error).message}` };
    }
    for (const room of this.rooms) {
      if (skip.includes(room)) continue;
      const r = await this.join(room, signal);
      if (r.type !== 'ok') return { type: 'fail', error: `rejoin ${room}: ${r.error ?? r.type}` };
    }
    return undefined;
  }

  private open(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.node.url, { handshakeTimeout: this.context.timeoutMs });
      this.ws = ws;
      const onAbort = (): void => {
        ws.terminate();
        reject(new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.once('open', () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      ws.on('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        this.lastError = err.message;
        reject(err);
      });
      ws.on('message', (data) => this.receive(String(data)));
      ws.once('close', () => {
        if (this.ws === ws) this.ws = undefined;
        this.failWaiters(new SocketClosed('socket closed'));
        reject(new Error('socket closed before it opened'));
      });
    });
  }

  /** Closes the socket (if any); waiters end as unknown. */
  private drop(): void {
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.removeAllListeners('message');
      ws.terminate();
    }
    this.failWaiters(new SocketClosed('socket closed'));
  }

  private failWaiters(err: Error): void {
    for (const p of this.publishes.values()) p.waiter.reject(err);
    this.publishes.clear();
    for (const list of this.histories.values()) for (const w of list) w?.reject(err);
    this.histories.clear();
  }

  private send(message: unknown): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  /** Waits for `register` to be settled, the timeout or the abort; `undefined` on timeout. */
  private wait<T>(signal: AbortSignal, register: (w: Waiter) => void, unregister: () => void): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        unregister();
        resolve(undefined);
      };
      const timer = setTimeout(onAbort, this.context.timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      register({
        resolve: (v) => {
          done();
          resolve(v as T);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
    });
  }

  private waitHistory(room: string, signal: AbortSignal): Promise<unknown> {
    let waiter: Waiter | undefined;
    return this.wait(
      signal,
      (w) => {
        waiter = w;
        const list = this.histories.get(room) ?? [];
        list.push(w);
        this.histories.set(room, list);
      },
      () => {
        // The answer may still come: it must still take this place in the order.
        const list = this.histories.get(room);
        const at = list && waiter ? list.indexOf(waiter) : -1;
        if (at >= 0) list![at] = null;
      },
    );
  }

  /** Expects a history answer nobody waits for (a gap fill's). */
  private expectHistory(room: string): void {
    const list = this.histories.get(room) ?? [];
    list.push(null);
    this.histories.set(room, list);
  }

  private async join(room: string, signal: AbortSignal): Promise<OpOutcome> {
    const answer = this.waitHistory(room, signal);
    if (!this.send({ type: 'join', room })) {
      answer.catch(() => undefined);
      return { type: 'fail', error: 'socket not open' };
    }
    try {
      const got = await answer;
      return got === undefined ? { type: 'info', error: `no history answer to join ${room} within ${this.context.timeoutMs} ms` } : { type: 'ok' };
    } catch (err) {
      return { type: 'info', error: (err as Error).message };
    }
  }

  private async publish(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    const v = obj(call.value);
    const room = v?.room;
    const content = v?.content;
    if (typeof room !== 'string' || typeof content !== 'string') {
      return { type: 'fail', error: 'publish: value must be {room, content} strings' };
    }
    const resend = v?.resend === true;
    if (resend && !this.options.dedup) return { type: 'fail', error: 'publish: a resend needs dedup (clientMsgId)' };
    const opened = await this.ensureOpen(signal);
    if (opened) return opened;
    const echo = this.wait<ChatFrame>(
      signal,
      (waiter) => this.publishes.set(content, { waiter, resend }),
      () => this.publishes.delete(content),
    );
    const data = this.options.dedup ? { room, content, clientMsgId: content } : { room, content };
    if (!this.send({ type: 'message', data })) {
      this.publishes.delete(content);
      echo.catch(() => undefined);
      return { type: 'fail', error: 'socket not open' };
    }
    try {
      const frame = await echo;
      if (!frame) return { type: 'info', error: `own message not seen within ${this.context.timeoutMs} ms` };
      const via = frame.via === 'history' ? { via: 'history' } : {};
      return { type: 'ok', value: { room: frame.room, content: frame.content, id: frame.id, sequence: frame.sequence, ...via } };
    } catch (err) {
      return { type: 'info', error: (err as Error).message };
    }
  }

  /** Asks every room's history since the last gap-free sequence and waits for the answers. */
  private async catchUp(signal: AbortSignal): Promise<OpOutcome> {
    const opened = await this.ensureOpen(signal);
    if (opened) return opened;
    const missing: string[] = [];
    for (const room of this.rooms) {
      const st = this.roomState(room);
      const since = this.options.catchUpFrom === 'first-gap' ? st.contiguous : Math.max(st.contiguous, highest(st.seen));
      const answer = this.waitHistory(room, signal);
      if (!this.send({ type: 'history', room, since })) {
        answer.catch(() => undefined);
        return { type: 'fail', error: 'socket not open' };
      }
      try {
        if ((await answer) === undefined) missing.push(room);
      } catch (err) {
        return { type: 'info', error: (err as Error).message };
      }
    }
    return missing.length ? { type: 'info', error: `no history answer for ${missing.join(', ')}` } : { type: 'ok' };
  }

  /** Reads `limit` messages after `back` sequences before the highest seen; records the answer. */
  private async readHistory(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    const v = obj(call.value);
    const { room, back, limit } = v ?? {};
    if (typeof room !== 'string' || typeof back !== 'number' || typeof limit !== 'number') {
      return { type: 'fail', error: 'history: value must be {room, back, limit}' };
    }
    const opened = await this.ensureOpen(signal);
    if (opened) return opened;
    const st = this.roomState(room);
    const since = Math.max(0, highest(st.seen) - back);
    st.reading = true;
    const answer = this.waitHistory(room, signal);
    try {
      if (!this.send({ type: 'history', room, since, limit })) {
        answer.catch(() => undefined);
        return { type: 'fail', error: 'socket not open' };
      }
      const got = (await answer) as HistoryAnswer | undefined;
      if (!got) return { type: 'info', error: `no history answer within ${this.context.timeoutMs} ms` };
      const messages = got.messages.map((m) => ({ sequence: m.sequence, id: m.id, content: m.content }));
      return { type: 'ok', value: { room, since, limit, messages, ...(got.lastSequence !== undefined ? { lastSequence: got.lastSequence } : {}) } };
    } catch (err) {
      return { type: 'info', error: (err as Error).message };
    } finally {
      st.reading = false;
    }
  }

  private roomState(room: string): RoomState {
    let s = this.state.get(room);
    if (!s) this.state.set(room, (s = { seen: new Set(), contiguous: 0, from: 0, ids: new Set() }));
    return s;
  }

  private receive(text: string): void {
    let frame: Record<string, unknown> | undefined;
    try {
      frame = obj(JSON.parse(text));
    } catch {
      return;
    }
    if (!frame) return;
    const data = obj(frame.data);
    switch (frame.type) {
      case 'connected':
        if (typeof data?.user === 'string') {
          this.user = data.user;
          this.users.add(data.user);
        }
        return;
      case 'message': {
        const message = this.toFrame(data, 'live');
        if (!message) return;
        const publish = this.publishes.get(message.content);
        // A resend's message may have been stored under a retired predecessor's user name; its
        // content is unique to this run's outbox, so it is ours.
        const resent = publish?.resend === true;
        if (resent) {
          // The answer to a resend: not a live delivery; recorded once, and only when it is not
          // older than where this client started (a predecessor's message before its join).
          const st = this.roomState(message.room);
          if (!st.ids.has(message.id) && message.sequence > st.from) this.record({ ...message, via: 'resend' });
        } else this.record(message);
        if (publish && (resent || this.sentByMe(message))) {
          this.publishes.delete(message.content);
          publish.waiter.resolve(message);
        }
        this.checkGap(message.room);
        return;
      }
      case 'history': {
        const room = data?.room;
        if (typeof room !== 'string') return;
        const messages = Array.isArray(data?.messages) ? data.messages : [];
        const first = this.state.get(room) === undefined;
        const parsed = messages.map((m) => this.toFrame(obj(m), 'history')).filter((m): m is ChatFrame => !!m);
        if (first && parsed.length > 0) {
          // A client starts where its first history starts; earlier messages are not owed to it.
          const start = Math.min(...parsed.map((m) => m.sequence));
          this.roomState(room).contiguous = start - 1;
          this.roomState(room).from = start - 1;
        }
        const st = this.roomState(room);
        for (const m of parsed) if (!st.ids.has(m.id)) this.record(m);
        st.gapRequestAt = undefined;
        for (const m of parsed) {
          // Our own message, found in history before it came back live: the server skipped us.
          // (A resend's message may well be in history already: its answer comes live.)
          const publish = this.publishes.get(m.content);
          if (publish && !publish.resend && this.sentByMe(m)) {
            this.publishes.delete(m.content);
            publish.waiter.resolve(m);
          }
        }
        const waiter = this.histories.get(room)?.shift();
        const lastSequence = typeof data?.lastSequence === 'number' ? data.lastSequence : undefined;
        if (waiter) waiter.resolve({ messages: parsed, lastSequence } satisfies HistoryAnswer);
        this.checkGap(room);
        return;
      }
      case 'error':
        this.lastError = typeof data?.message === 'string' ? data.message : 'error frame';
        return;
      default:
        return;
    }
  }

  private sentByMe(message: ChatFrame): boolean {
    return this.user === '' || this.users.has(message.user);
  }

  private toFrame(data: Record<string, unknown> | undefined, via: ChatFrame['via']): ChatFrame | undefined {
    if (!data) return undefined;
    const { room, sequence, content } = data;
    if (typeof room !== 'string' || typeof sequence !== 'number') return undefined;
    return {
      room,
      id: data.id === undefined ? '' : String(data.id),
      sequence,
      content: typeof content === 'string' ? content : JSON.stringify(content ?? null),
      user: typeof data.user === 'string' ? data.user : '',
      via,
    };
  }

  private record(message: ChatFrame): void {
    const st = this.roomState(message.room);
    st.ids.add(message.id);
    st.seen.add(message.sequence);
    while (st.seen.has(st.contiguous + 1)) st.contiguous++;
    this.frames.push(message);
  }

  /** On a gap (a sequence past `contiguous + 1` was seen), asks the history since `contiguous`. */
  private checkGap(room: string): void {
    if (!this.options.gapFill) return;
    const st = this.roomState(room);
    if (st.reading) return;
    const max = highest(st.seen);
    // `contiguous` stops right before the first missing sequence, so anything past it is a gap.
    if (max <= st.contiguous) return;
    const now = Date.now();
    if (st.gapRequestAt !== undefined && now - st.gapRequestAt < this.context.timeoutMs) return;
    if (this.send({ type: 'history', room, since: st.contiguous })) {
      st.gapRequestAt = now;
      this.expectHistory(room);
    }
  }

  /** The last error frame or socket error, for diagnostics. */
  get error(): string | undefined {
    return this.lastError;
  }

  async close(): Promise<void> {
    this.drop();
  }
}
