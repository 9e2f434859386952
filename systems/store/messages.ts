/**
 * The node-to-node messages, checked field by field (a node never trusts its input): the course's
 * fields (`type`, `leaderId`, `term`, `timestamp`, `data`, `key`) plus the additive ones this
 * implementation needs (`nodeId`, `role`, `versions`, `tombstones`, `revision`...).
 */
import { HttpError } from '../common/http.js';
import { isVersion, type Version } from './version.js';
import type { Entry, MapPayload } from './state.js';

export type Role = 'leader' | 'follower' | 'candidate';

/** A heartbeat, or the answer to one: what a node says about itself. */
export interface Beat {
  term: number;
  nodeId?: string;
  role?: Role;
  leaderId: string | null;
  revision?: Version | null;
  /** A follower: how long ago it last heard its leader. */
  leaderSeenMsAgo?: number;
  advertiseUrl?: string;
  success?: boolean;
}

export interface ReplicateMessage extends MapPayload {
  term: number;
  leaderId: string;
  nodeId?: string;
  advertiseUrl?: string;
}

export interface SnapshotMessage {
  term: number;
  leaderId: string;
  nodeId?: string;
  advertiseUrl?: string;
}

export interface SnapshotAnswer {
  success: boolean;
  term: number;
  entries: Map<string, Entry>;
  revision: Version | null;
}

export interface GetAnswer {
  value: unknown;
  version: Version | null;
  deleted: boolean;
  revision: Version | null;
}

type Obj = Record<string, unknown>;

function bad(message: string): HttpError {
  return new HttpError(400, { error: message });
}

function object(body: unknown, what: string): Obj {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad(`${what}: body must be a JSON object`);
  return body as Obj;
}

function term(o: Obj, what: string): number {
  const t = o.term;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) throw bad(`${what}: term must be a non-negative integer`);
  return t;
}

function optString(o: Obj, field: string, what: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw bad(`${what}: ${field} must be a non-empty string`);
  return v;
}

function optVersion(o: Obj, field: string, what: string): Version | null | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (!isVersion(v)) throw bad(`${what}: ${field} must be a version "<term>.<counter>" or null`);
  return v;
}

function role(o: Obj, what: string): Role | undefined {
  const r = o.role;
  if (r === undefined) return undefined;
  if (r !== 'leader' && r !== 'follower' && r !== 'candidate') throw bad(`${what}: role must be leader, follower or candidate`);
  return r;
}

function versionMap(o: Obj, field: string, what: string): Record<string, Version> {
  const v = o[field];
  if (v === undefined) return {};
  const m = object(v, `${what}.${field}`);
  for (const [k, x] of Object.entries(m)) if (!isVersion(x)) throw bad(`${what}: ${field}.${k} must be a version`);
  return m as Record<string, Version>;
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (base as Record<string, unknown>)[k] = v;
  return base;
}

export function parseBeat(body: unknown, what = 'heartbeat'): Beat {
  const o = object(body, what);
  const beat: Beat = { term: term(o, what), leaderId: optString(o, 'leaderId', what) ?? null };
  const ago = o.leaderSeenMsAgo;
  if (ago !== undefined && (typeof ago !== 'number' || !Number.isFinite(ago) || ago < 0)) {
    throw bad(`${what}: leaderSeenMsAgo must be a non-negative number`);
  }
  return withOptional(beat, {
    nodeId: optString(o, 'nodeId', what),
    role: role(o, what),
    revision: optVersion(o, 'revision', what),
    leaderSeenMsAgo: ago,
    advertiseUrl: optString(o, 'advertiseUrl', what),
    success: typeof o.success === 'boolean' ? o.success : undefined,
  });
}

export function parseReplicate(body: unknown): ReplicateMessage {
  const what = 'replicate';
  const o = object(body, what);
  const leaderId = optString(o, 'leaderId', what);
  if (!leaderId) throw bad(`${what}: leaderId is required`);
  const msg: ReplicateMessage = {
    term: term(o, what),
    leaderId,
    data: object(o.data, `${what}.data`),
    versions: versionMap(o, 'versions', what),
    tombstones: versionMap(o, 'tombstones', what),
    revision: optVersion(o, 'revision', what) ?? null,
  };
  return withOptional(msg, { nodeId: optString(o, 'nodeId', what), advertiseUrl: optString(o, 'advertiseUrl', what) });
}

export function parseSnapshot(body: unknown): SnapshotMessage {
  const what = 'snapshot';
  const o = object(body, what);
  const leaderId = optString(o, 'leaderId', what);
  if (!leaderId) throw bad(`${what}: leaderId is required`);
  const msg: SnapshotMessage = { term: term(o, what), leaderId };
  return withOptional(msg, { nodeId: optString(o, 'nodeId', what), advertiseUrl: optString(o, 'advertiseUrl', what) });
}

export function parseGet(body: unknown): { key: string; nodeId?: string } {
  const o = object(body, 'get');
  if (typeof o.key !== 'string' || o.key === '') throw bad('get: key must be a non-empty string');
  return withOptional({ key: o.key }, { nodeId: optString(o, 'nodeId', 'get') });
}

/** Answers from peers: malformed ones are dropped (throw), never trusted. */
export function parseSnapshotAnswer(body: unknown): SnapshotAnswer {
  const o = object(body, 'snapshot answer');
  const entries = new Map<string, Entry>();
  if (o.entries !== undefined) {
    for (const [k, e] of Object.entries(object(o.entries, 'snapshot answer.entries'))) {
      const x = object(e, `snapshot answer.entries.${k}`);
      if (!isVersion(x.version)) continue;
      entries.set(k, x.deleted === true ? { value: null, version: x.version, deleted: true } : { value: x.value, version: x.version });
    }
  }
  return { success: o.success === true, term: term(o, 'snapshot answer'), entries, revision: optVersion(o, 'revision', 'snapshot answer') ?? null };
}

export function parseGetAnswer(body: unknown): GetAnswer {
  const o = object(body, 'get answer');
  return {
    value: o.value === undefined ? null : o.value,
    version: optVersion(o, 'version', 'get answer') ?? null,
    deleted: o.deleted === true,
    revision: optVersion(o, 'revision', 'get answer') ?? null,
  };
}
