/** Client → server frames of the course's chat protocol, checked before anything acts on them. */
import { MAX_ROOM_FOLDER, roomFolder } from './store.js';

export type ClientFrame =
  | { type: 'join'; room: string }
  | { type: 'leave'; room: string }
  | { type: 'message'; room: string; content: string; clientMsgId?: string }
  | { type: 'presence'; room: string }
  /** `since` absent: the most recent messages; present: those with a sequence above it. */
  | { type: 'history'; room: string; since?: number; limit?: number }
  | { type: 'heartbeat' };

export class FrameError extends Error {}

export const MAX_HISTORY_LIMIT = 1000;
const MAX_CLIENT_MSG_ID = 200;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function room(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw new FrameError(`${where} must be a non-empty string`);
  if (roomFolder(v).length > MAX_ROOM_FOLDER) throw new FrameError(`${where} is too long`);
  return v;
}

function count(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FrameError(`${where} must be an integer from ${min} to ${max}`);
  }
  return v;
}

/** Parses one text frame; throws FrameError with a message for the client. */
export function parseFrame(text: string): ClientFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError('Invalid JSON');
  }
  if (!isObject(raw) || typeof raw.type !== 'string') throw new FrameError('A frame is a JSON object with a string "type"');
  switch (raw.type) {
    case 'join':
    case 'leave':
    case 'presence':
      return { type: raw.type, room: room(raw.room, 'room') };
    case 'message': {
      const data = raw.data;
      if (!isObject(data)) throw new FrameError('message needs data: {room, content}');
      const r = room(data.room, 'data.room');
      if (typeof data.content !== 'string' || data.content === '') throw new FrameError('data.content must be a non-empty string');
      const frame: ClientFrame = { type: 'message', room: r, content: data.content };
      if (data.clientMsgId !== undefined && data.clientMsgId !== null) {
        const id = data.clientMsgId;
        if (typeof id !== 'string' || id === '' || id.length > MAX_CLIENT_MSG_ID) {
          throw new FrameError(`data.clientMsgId must be a string of 1 to ${MAX_CLIENT_MSG_ID} characters`);
        }
        frame.clientMsgId = id;
      }
      return frame;
    }
    case 'history': {
      const frame: ClientFrame = { type: 'history', room: room(raw.room, 'room') };
      if (raw.since !== undefined && raw.since !== null) frame.since = count(raw.since, 'since', 0, Number.MAX_SAFE_INTEGER);
      if (raw.limit !== undefined && raw.limit !== null) frame.limit = count(raw.limit, 'limit', 1, MAX_HISTORY_LIMIT);
      return frame;
    }
    case 'heartbeat':
      return { type: 'heartbeat' };
    default:
      throw new FrameError(`Unknown message type: ${raw.type.slice(0, 100)}`);
  }
}
