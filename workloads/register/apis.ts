/**
 * How a register op is spoken to each API, and what each answer means. Only the HTTP shapes
 * live here; following leaders and transport errors are the client's job.
 */
import type { OpCall } from '../../core/workload.js';
import type { Attempt } from '../leader.js';
import { describeAnswer, type HttpRequestOptions } from '../http.js';
import type { ReadLevel } from './options.js';

export interface RegisterRequest {
  method: HttpRequestOptions['method'];
  path: string;
  body?: unknown;
}

export interface RegisterApi {
  /** Whether only the leader answers reads (Raft), so reads follow the leader like writes. */
  readsAtLeader: boolean;
  request(call: OpCall, session: Session): RegisterRequest;
  /** An answer with a status; never called for transport errors. */
  interpret(call: OpCall, status: number, body: unknown, session: Session): Attempt;
}

/** What a client remembers between its requests (read-your-writes needs its last write). */
export interface Session {
  readLevel: ReadLevel;
  /** What a 200 with `achievedQuorum: false` is recorded as. */
  unconfirmedWrites: 'info' | 'ok';
  /** The newest version (`"<term>.<counter>"`) any of this client's writes or deletes got, when
   *  the store says one: a read_your_writes read sends it (`?after=`) so the node answers only
   *  once its map holds that write. */
  lastVersion?: string;
}

const enc = encodeURIComponent;

/** Versions are `"<term>.<counter>"`, ordered by term then counter. */
export function newerVersion(a: string, b: string | undefined): boolean {
  const pa = /^(\d+)\.(\d+)$/.exec(a);
  if (!pa) return false;
  const pb = b === undefined ? null : /^(\d+)\.(\d+)$/.exec(b);
  if (!pb) return true;
  const [ta, sa, tb, sb] = [Number(pa[1]), Number(pa[2]), Number(pb[1]), Number(pb[2])];
  return ta > tb || (ta === tb && sa > sb);
}

/** A write of a value: `write`, or `add` (a set element's key written once). */
const isWrite = (call: OpCall): boolean => call.f === 'write' || call.f === 'add';

function field(body: unknown, name: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A write or delete that got an error answer: a 4xx certainly did nothing; anything else may have. */
function mutationError(call: OpCall, status: number, body: unknown): Attempt {
  const error = describeAnswer(status, body);
  if (call.f === 'read' || (status >= 400 && status < 500)) return { kind: 'done', outcome: { type: 'fail', error } };
  return { kind: 'done', outcome: { type: 'info', error } };
}

/** The course's replicated store (`/key/{key}`). */
export const storeApi: RegisterApi = {
  readsAtLeader: false,
  request(call, session) {
    const key = enc(call.key ?? '');
    if (call.f === 'read') {
      // A read sent to one node (the final reads on each node) is node-local: `eventual`.
      const level = call.node !== undefined ? 'eventual' : session.readLevel;
      const params = new URLSearchParams({ consistency: level });
      if (level === 'read_your_writes' && session.lastVersion !== undefined) params.set('after', session.lastVersion);
      return { method: 'GET', path: `/key/${key}?${params}` };
    }
    if (isWrite(call)) return { method: 'PUT', path: `/key/${key}`, body: call.value };
    return { method: 'DELETE', path: `/key/${key}` };
  },
  interpret(call, status, body, session) {
    if (status === 503) {
      return { kind: 'redirect', leader: str(field(body, 'leaderId')) ?? str(field(body, 'leader')), error: describeAnswer(status, body) };
    }
    if (call.f === 'read') {
      if (status === 200) return { kind: 'done', outcome: { type: 'ok', value: field(body, 'value') ?? null } };
      if (status === 404) return { kind: 'done', outcome: { type: 'ok', value: null } };
      return mutationError(call, status, body);
    }
    // A 404 on a delete means this node had nothing to delete and wrote nothing (its view may be
    // stale, a cut-off leader's for one): the delete did not happen, so `fail`, not `ok`.
    if (call.f === 'delete' && status === 404) return { kind: 'done', outcome: { type: 'fail', error: describeAnswer(status, body) } };
    if (status === 200) {
      const version = field(body, 'version');
      if (typeof version === 'string' && newerVersion(version, session.lastVersion)) session.lastVersion = version;
      if (field(body, 'achievedQuorum') === false && session.unconfirmedWrites === 'info') {
        return { kind: 'done', outcome: { type: 'info', error: `applied on the leader without its write quorum (acks: ${String(field(body, 'acks'))})` } };
      }
      return { kind: 'done', outcome: { type: 'ok', value: isWrite(call) ? call.value : undefined } };
    }
    return mutationError(call, status, body);
  },
};

const NOT_LEADER = /not a leader\.?\s*please redirect to\s+(\S+?)\.?\s*$/i;
const NO_LEADER = /no leader/i;

/** The course's Raft key-value store (`/kv`). */
export const raftApi: RegisterApi = {
  readsAtLeader: true,
  request(call) {
    const key = enc(call.key ?? '');
    if (call.f === 'read') return { method: 'GET', path: `/kv/${key}` };
    if (isWrite(call)) return { method: 'POST', path: '/kv', body: { key: call.key, value: call.value } };
    return { method: 'DELETE', path: `/kv/${key}` };
  },
  interpret(call, status, body) {
    const error = str(field(body, 'error'));
    if (status >= 500 && error !== undefined && (NOT_LEADER.test(error) || NO_LEADER.test(error))) {
      const hint = str(field(body, 'leaderId')) ?? str(field(body, 'leader')) ?? NOT_LEADER.exec(error)?.[1];
      return { kind: 'redirect', leader: NO_LEADER.test(error) ? undefined : hint, error: describeAnswer(status, body) };
    }
    if (status === 200) {
      if (call.f === 'read') return { kind: 'done', outcome: { type: 'ok', value: field(body, 'value') ?? null } };
      return { kind: 'done', outcome: { type: 'ok', value: isWrite(call) ? call.value : undefined } };
    }
    if (call.f === 'read' && status === 404) return { kind: 'done', outcome: { type: 'ok', value: null } };
    return mutationError(call, status, body);
  },
};
