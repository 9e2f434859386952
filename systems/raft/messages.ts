/** The course's Raft RPCs, and checks that turn an untrusted JSON body into one (or a 400). */
import { HttpError } from '../common/http.js';
import type { LogEntry } from './log.js';

export interface RequestVoteArgs {
  term: number;
  candidateId: string;
  lastLogIndex: number;
  lastLogTerm: number;
  /** Extra (not in the course): a pre-vote (Raft thesis §9.6) asks "would you vote for me in `term`?" and changes nothing. */
  preVote?: boolean;
}

export interface RequestVoteReply {
  term: number;
  voteGranted: boolean;
}

export interface AppendEntriesArgs {
  term: number;
  leaderId: string;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
  /** Extra (not in the course): the leader's client-facing URL, for the `leader` hint. */
  leaderUrl?: string;
}

export interface AppendEntriesReply {
  term: number;
  success: boolean;
  /** Extra: the follower's last log index after a success (its match index). */
  matchIndex?: number;
  /** Extra: where the leader should retry from after a failure. */
  conflictIndex?: number;
}

function bad(message: string): HttpError {
  return new HttpError(400, { error: message });
}

function object(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad(`${what}: body must be a JSON object`);
  return body as Record<string, unknown>;
}

function count(o: Record<string, unknown>, field: string, what: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`${what}: "${field}" must be a non-negative integer`);
  return v;
}

function text(o: Record<string, unknown>, field: string, what: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') throw bad(`${what}: "${field}" must be a non-empty string`);
  return v;
}

export function parseRequestVote(body: unknown): RequestVoteArgs {
  const what = 'request-vote';
  const o = object(body, what);
  const args: RequestVoteArgs = {
    term: count(o, 'term', what),
    candidateId: text(o, 'candidateId', what),
    lastLogIndex: count(o, 'lastLogIndex', what),
    lastLogTerm: count(o, 'lastLogTerm', what),
  };
  if (o.preVote === true) args.preVote = true;
  return args;
}

export function parseAppendEntries(body: unknown): AppendEntriesArgs {
  const what = 'append-entries';
  const o = object(body, what);
  const args: AppendEntriesArgs = {
    term: count(o, 'term', what),
    leaderId: text(o, 'leaderId', what),
    prevLogIndex: count(o, 'prevLogIndex', what),
    prevLogTerm: count(o, 'prevLogTerm', what),
    entries: [],
    leaderCommit: count(o, 'leaderCommit', what),
  };
  if (typeof o.leaderUrl === 'string') args.leaderUrl = o.leaderUrl;
  const entries = o.entries ?? [];
  if (!Array.isArray(entries)) throw bad(`${what}: "entries" must be an array`);
  entries.forEach((raw: unknown, i) => {
    const where = `${what}: entries[${i}]`;
    const e = object(raw, where);
    const entry: LogEntry = { index: count(e, 'index', where), term: count(e, 'term', where), command: '' };
    if (typeof e.command !== 'string') throw bad(`${where}: "command" must be a JSON string`);
    entry.command = e.command;
    if (entry.index !== args.prevLogIndex + 1 + i) throw bad(`${where}: index must be ${args.prevLogIndex + 1 + i} (prevLogIndex + 1 + position)`);
    if (entry.term > args.term) throw bad(`${where}: term ${entry.term} is above the leader's term ${args.term}`);
    args.entries.push(entry);
  });
  return args;
}

export function parseRequestVoteReply(body: unknown): RequestVoteReply | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  if (!Number.isSafeInteger(o.term) || typeof o.voteGranted !== 'boolean') return undefined;
  return { term: o.term as number, voteGranted: o.voteGranted };
}

export function parseAppendEntriesReply(body: unknown): AppendEntriesReply | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  if (!Number.isSafeInteger(o.term) || typeof o.success !== 'boolean') return undefined;
  const reply: AppendEntriesReply = { term: o.term as number, success: o.success };
  if (Number.isSafeInteger(o.matchIndex)) reply.matchIndex = o.matchIndex as number;
  if (Number.isSafeInteger(o.conflictIndex)) reply.conflictIndex = o.conflictIndex as number;
  return reply;
}
