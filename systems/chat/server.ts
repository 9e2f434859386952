/**
 * The chat protocol over WebSocket: rooms, per-room sequences, history, presence, heartbeats.
 * Every message is stored durably before it is broadcast; the whole handling of one frame is
 * synchronous, so every member of a room receives the room's messages in one order.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData, type WebSocketServer } from 'ws';
import { FrameError, parseFrame, type ClientFrame } from './frames.js';
import { mutant } from '../common/mutants.js';
import type { ChatMessage, MessageStore } from './store.js';

export const CHAT_BUGS = ['sequence-reset', 'no-gap-fill', 'oldest-history', 'join-reuses-sequence'] as const;
export type ChatBug = (typeof CHAT_BUGS)[number];

export interface ChatOptions {
  /** 0: no heartbeats. */
  heartbeatMs: number;
  presenceTimeoutMs: number;
  /** Messages sent on join (course: 50). */
  joinHistory: number;
  /** Default size of a history answer (course: 100). */
  historyLimit: number;
  bugs: ReadonlySet<ChatBug>;
}

interface Client {
  clientId: string;
  user: string;
  ws: WebSocket;
  rooms: Set<string>;
  lastSeen: number;
}

const MAX_USER = 100;

export class ChatServer {
  private readonly clients = new Map<WebSocket, Client>();
  private readonly rooms = new Map<string, Set<Client>>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly store: MessageStore,
    private readonly options: ChatOptions,
  ) {}

  attach(wss: WebSocketServer): void {
    wss.on('connection', (ws, req) => this.connect(ws, req));
    if (this.options.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        for (const client of this.clients.values()) this.send(client, { type: 'heartbeat' });
      }, this.options.heartbeatMs);
    }
  }

  /** Stops timers; sockets closed after this do not write leave notices. */
  close(): void {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const client of this.clients.values()) client.ws.terminate();
  }

  counts(): { clients: number; rooms: number } {
    return { clients: this.clients.size, rooms: this.store.roomCount() };
  }

  private connect(ws: WebSocket, req: IncomingMessage): void {
    const clientId = randomUUID();
    const asked = new URL(req.url ?? '/', 'http://localhost').searchParams.get('user');
    const user = asked && asked.length <= MAX_USER ? asked : `user-${clientId.slice(0, 8)}`;
    const client: Client = { clientId, user, ws, rooms: new Set(), lastSeen: Date.now() };
    this.clients.set(ws, client);
    ws.on('message', (data, isBinary) => this.receive(client, data, isBinary));
    ws.on('close', () => this.disconnect(client));
    ws.on('error', () => ws.terminate()); // e.g. a frame over maxPayload: ws closes with 1009
    this.send(client, { type: 'connected', data: { clientId, user } });
  }

  private receive(client: Client, data: RawData, isBinary: boolean): void {
    client.lastSeen = Date.now();
    try {
      if (isBinary) throw new FrameError('Binary frames are not supported; send JSON text');
      this.handle(client, parseFrame(rawText(data)));
    } catch (err) {
      const message = err instanceof FrameError ? err.message : `Internal error: ${(err as Error)?.message ?? String(err)}`;
      this.send(client, { type: 'error', data: { message } });
    }
  }

  private handle(client: Client, frame: ClientFrame): void {
    switch (frame.type) {
      case 'join':
        return this.join(client, frame.room);
      case 'leave':
        if (!client.rooms.has(frame.room)) throw new FrameError(`Not in room ${frame.room}`);
        return this.leave(client, frame.room);
      case 'message':
        return this.message(client, frame.room, frame.content, frame.clientMsgId);
      case 'presence':
        return this.send(client, { type: 'presence', data: { room: frame.room, users: this.presence(frame.room) } });
      case 'history':
        return this.history(client, frame.room, frame.since, frame.limit ?? this.options.historyLimit);
      case 'heartbeat':
        return;
    }
  }

  private join(client: Client, room: string): void {
    const limit = this.options.joinHistory;
    const messages = this.options.bugs.has('oldest-history') ? this.store.oldest(room, limit) : this.store.recent(room, limit);
    this.send(client, { type: 'history', data: { room, messages, lastSequence: this.store.lastSequence(room) } });
    if (client.rooms.has(room)) return;
    client.rooms.add(room);
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Set()));
    members.add(client);
    this.notice(room, client.user, 'join');
  }

  private leave(client: Client, room: string): void {
    client.rooms.delete(room);
    const members = this.rooms.get(room);
    members?.delete(client);
    if (members?.size === 0) this.rooms.delete(room);
    this.notice(room, client.user, 'leave');
  }

  private disconnect(client: Client): void {
    this.clients.delete(client.ws);
    if (this.closing) return;
    for (const room of [...client.rooms]) {
      try {
        this.leave(client, room);
      } catch (err) {
        process.stderr.write(`chat: leave notice for ${room} failed: ${(err as Error).message}\n`);
      }
    }
  }

  /** A join/leave notice: a system message with the room's next sequence, stored like any other. */
  private notice(room: string, user: string, kind: 'join' | 'leave'): void {
    const draft = {
      id: randomUUID(),
      user: 'system',
      content: `${user} ${kind === 'join' ? 'joined' : 'left'} the room`,
      timestamp: new Date().toISOString(),
      notice: kind,
    };
    const message: ChatMessage = this.options.bugs.has('join-reuses-sequence')
      ? { id: draft.id, room, user: draft.user, content: draft.content, sequence: this.store.lastSequence(room), timestamp: draft.timestamp, notice: kind }
      : this.store.append(room, draft);
    this.broadcast(room, message);
  }

  private message(client: Client, room: string, content: string, clientMsgId: string | undefined): void {
    if (clientMsgId !== undefined && !mutant('chat-dedup-ignored')) {
      const stored = this.store.byClientMsgId(room, clientMsgId);
      if (stored) {
        // A resend of a message we already have: the sender sees it again, nobody else does.
        this.send(client, { type: 'message', data: stored });
        return;
      }
    }
    const message = this.store.append(room, {
      id: randomUUID(),
      user: client.user,
      content,
      timestamp: new Date().toISOString(),
      ...(clientMsgId !== undefined ? { clientMsgId } : {}),
    });
    this.broadcast(room, message, client);
  }

  private history(client: Client, room: string, since: number | undefined, limit: number): void {
    let messages: ChatMessage[];
    if (this.options.bugs.has('no-gap-fill')) messages = [];
    else if (since === undefined) messages = this.store.recent(room, limit);
    else messages = this.store.since(room, since, limit);
    this.send(client, { type: 'history', data: { room, messages, lastSequence: this.store.lastSequence(room) } });
  }

  private presence(room: string): { user: string; status: 'online' | 'offline'; lastSeen: string }[] {
    const byUser = new Map<string, number>();
    for (const member of this.rooms.get(room) ?? []) {
      byUser.set(member.user, Math.max(byUser.get(member.user) ?? 0, member.lastSeen));
    }
    const now = Date.now();
    return [...byUser].map(([user, lastSeen]) => ({
      user,
      status: now - lastSeen < this.options.presenceTimeoutMs ? 'online' : 'offline',
      lastSeen: new Date(lastSeen).toISOString(),
    }));
  }

  /** To every member of the room, and to the sender when it is not a member. */
  private broadcast(room: string, message: ChatMessage, sender?: Client): void {
    const frame = JSON.stringify({ type: 'message', data: message });
    const members = this.rooms.get(room);
    const echo = !mutant('chat-no-self-echo');
    for (const member of members ?? []) if (echo || member !== sender) sendRaw(member.ws, frame);
    if (echo && sender && !members?.has(sender)) sendRaw(sender.ws, frame);
  }

  private send(client: Client, frame: unknown): void {
    sendRaw(client.ws, JSON.stringify(frame));
  }
}

function sendRaw(ws: WebSocket, text: string): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(text);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
