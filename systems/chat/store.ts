/**
 * Chat messages on disk, in the course's layout: `<dataDir>/messages/<room>/<sequence>.json`,
 * one file per message, written durably (fsync) before anyone is told. A room's last sequence is
 * the highest file in its folder, so a restart continues the sequence. Everything is also kept in
 * memory for history answers.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { writeFileDurably } from '../common/durable.js';
import { mutant } from '../common/mutants.js';

export interface ChatMessage {
  id: string;
  room: string;
  user: string;
  content: string;
  sequence: number;
  timestamp: string;
  /** Our extension: the sender's id for this message, to recognise a resend. */
  clientMsgId?: string;
  /** Our extension: set on the server's join/leave notices. */
  notice?: 'join' | 'leave';
}

export type MessageDraft = Omit<ChatMessage, 'sequence' | 'room'>;

/** Room names become folder names: percent-encoded, dots too, so no name can leave the folder. */
export function roomFolder(room: string): string {
  return encodeURIComponent(room).replaceAll('.', '%2E');
}

/** Longest encoded room name (a file name is at most 255 bytes). */
export const MAX_ROOM_FOLDER = 200;

/** How many clientMsgIds per room are remembered for de-duplication. */
export const DEDUP_WINDOW = 10_000;

class RoomLog {
  lastSequence = 0;
  /** Indexed by sequence - 1. */
  readonly messages: (ChatMessage | undefined)[] = [];
  readonly byClientMsgId = new Map<string, ChatMessage>();

  put(message: ChatMessage, remember = true): void {
    this.messages[message.sequence - 1] = message;
    if (message.clientMsgId !== undefined && remember) {
      this.byClientMsgId.set(message.clientMsgId, message);
      if (this.byClientMsgId.size > DEDUP_WINDOW) {
        const oldest = this.byClientMsgId.keys().next().value;
        if (oldest !== undefined) this.byClientMsgId.delete(oldest);
      }
    }
  }

  ordered(): ChatMessage[] {
    return this.messages.filter((m): m is ChatMessage => m !== undefined);
  }
}

export interface StoreOptions {
  /** false = the course's defect: the sequencer starts at 0 again after a restart. */
  restoreSequences: boolean;
}

export class MessageStore {
  private readonly rooms = new Map<string, RoomLog>();
  private readonly root: string;
  /** Messages read back from disk on start. */
  readonly recovered: number = 0;

  constructor(dataDir: string, options: StoreOptions) {
    this.root = join(dataDir, 'messages');
    if (!existsSync(this.root)) return;
    let count = 0;
    for (const dir of readdirSync(this.root, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      let room: string;
      try {
        room = decodeURIComponent(dir.name);
      } catch {
        continue;
      }
      const log = this.room(room);
      for (const file of readdirSync(join(this.root, dir.name))) {
        const m = /^([1-9][0-9]*)\.json$/.exec(file);
        if (!m) continue; // temp files of an interrupted write
        // The sequence is taken even when the file cannot be read, so it is never given twice.
        log.lastSequence = Math.max(log.lastSequence, Number(m[1]));
        try {
          const message = JSON.parse(readFileSync(join(this.root, dir.name, file), 'utf8')) as ChatMessage;
          if (message?.sequence !== Number(m[1])) throw new Error('its sequence does not match the file name');
          log.put(message, !mutant('chat-dedup-not-restored'));
          count++;
        } catch (err) {
          process.stderr.write(`chat: skipping unreadable message ${join(dir.name, file)}: ${(err as Error).message}\n`);
        }
      }
      if (!options.restoreSequences) log.lastSequence = 0;
    }
    this.recovered = count;
  }

  lastSequence(room: string): number {
    return this.rooms.get(room)?.lastSequence ?? 0;
  }

  /** The highest sequence of any room (the `chat-global-sequence` mutant's one counter). */
  private globalSequence(): number {
    let max = 0;
    for (const log of this.rooms.values()) max = Math.max(max, log.lastSequence);
    return max;
  }

  byClientMsgId(room: string, clientMsgId: string): ChatMessage | undefined {
    return this.rooms.get(room)?.byClientMsgId.get(clientMsgId);
  }

  /** Gives the message the room's next sequence and writes it durably; then it may be sent. */
  append(room: string, draft: MessageDraft): ChatMessage {
    const log = this.room(room);
    const { id, user, content, timestamp, ...extensions } = draft;
    const sequence = (mutant('chat-global-sequence') ? this.globalSequence() : log.lastSequence) + 1;
    const message: ChatMessage = { id, room, user, content, sequence, timestamp, ...extensions };
    const file = join(this.root, roomFolder(room), `${message.sequence}.json`);
    if (mutant('chat-async-write')) {
      mkdirSync(join(this.root, roomFolder(room)), { recursive: true });
      void writeFile(file, JSON.stringify(message)).catch(() => {});
    } else writeFileDurably(file, JSON.stringify(message), !mutant('chat-no-fsync'));
    log.lastSequence = message.sequence;
    log.put(message);
    return message;
  }

  /** The newest `limit` messages, oldest first. */
  recent(room: string, limit: number): ChatMessage[] {
    const all = this.rooms.get(room)?.ordered() ?? [];
    return all.slice(Math.max(0, all.length - limit));
  }

  /** The oldest `limit` messages. */
  oldest(room: string, limit: number): ChatMessage[] {
    return (this.rooms.get(room)?.ordered() ?? []).slice(0, limit);
  }

  /** The first `limit` messages with a sequence above `since`, in sequence order. */
  since(room: string, since: number, limit: number): ChatMessage[] {
    const log = this.rooms.get(room);
    if (!log) return [];
    const out: ChatMessage[] = [];
    const first = Math.max(0, Math.floor(since)) + (mutant('chat-history-since-off-by-one') ? 1 : 0);
    const page = mutant('chat-history-page-short') ? Math.max(1, limit - 1) : limit;
    for (let i = first; i < log.messages.length && out.length < page; i++) {
      const m = log.messages[i];
      if (m) out.push(m);
    }
    return out;
  }

  private room(room: string): RoomLog {
    let log = this.rooms.get(room);
    if (!log) {
      log = new RoomLog();
      this.rooms.set(room, log);
    }
    return log;
  }

  roomCount(): number {
    return this.rooms.size;
  }
}
