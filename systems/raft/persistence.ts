/**
 * What a Raft node persists: its term and vote (`meta.json`, replaced atomically) and its log
 * (`log.jsonl`, append-only; an entry at an index at or below the current end replaces that
 * suffix, which is how a truncation is recorded). Every call returns only after fsync.
 * With the `volatile-state` bug a node keeps nothing (the course code).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLog, writeFileDurably } from '../common/durable.js';
import { mutant } from '../common/mutants.js';
import type { LogEntry } from './log.js';

export interface PersistentState {
  term: number;
  votedFor: string | null;
  entries: LogEntry[];
}

export interface Storage {
  load(): PersistentState;
  saveMeta(term: number, votedFor: string | null): void;
  /** Appends entries; the first may sit at or below the persisted end (that suffix is replaced). */
  appendEntries(entries: readonly LogEntry[]): void;
  close(): void;
}

export class VolatileStorage implements Storage {
  load(): PersistentState {
    return { term: 0, votedFor: null, entries: [] };
  }
  saveMeta(): void {}
  appendEntries(): void {}
  close(): void {}
}

function isEntry(value: unknown): value is LogEntry {
  if (value === null || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return Number.isInteger(e.index) && Number.isInteger(e.term) && typeof e.command === 'string';
}

/** Replays log records into the log they describe; stops at the first record that does not fit. */
export function replayLog(records: readonly unknown[]): { entries: LogEntry[]; clean: boolean } {
  const entries: LogEntry[] = [];
  for (const record of records) {
    if (!isEntry(record) || record.index < 1 || record.index > entries.length + 1) return { entries, clean: false };
    entries.length = record.index - 1;
    entries.push({ index: record.index, term: record.term, command: record.command });
  }
  return { entries, clean: entries.length === records.length };
}

export class DurableStorage implements Storage {
  private readonly metaFile: string;
  private readonly logFile: string;
  private log: JsonLog<LogEntry> | undefined;

  constructor(readonly dir: string) {
    this.metaFile = join(dir, 'meta.json');
    this.logFile = join(dir, 'log.jsonl');
  }

  load(): PersistentState {
    let term = 0;
    let votedFor: string | null = null;
    if (existsSync(this.metaFile)) {
      const meta = JSON.parse(readFileSync(this.metaFile, 'utf8')) as { term?: unknown; votedFor?: unknown };
      if (Number.isInteger(meta.term)) term = meta.term as number;
      if (typeof meta.votedFor === 'string') votedFor = meta.votedFor;
    }
    const records = JsonLog.read<unknown>(this.logFile);
    const { entries, clean } = replayLog(records);
    const raw = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
    // Superseded records or a torn tail: rewrite the file as the log it holds, so that later
    // appends start on a fresh line.
    if (!clean || (raw.length > 0 && !raw.endsWith('\n'))) {
      writeFileDurably(this.logFile, entries.map((e) => JSON.stringify(e) + '\n').join(''));
    }
    this.log = new JsonLog<LogEntry>(this.logFile, !mutant('raft-log-no-fsync'));
    return { term, votedFor, entries };
  }

  saveMeta(term: number, votedFor: string | null): void {
    writeFileDurably(this.metaFile, JSON.stringify({ term, votedFor }));
  }

  appendEntries(entries: readonly LogEntry[]): void {
    if (!this.log) throw new Error('storage: load() first');
    this.log.appendMany(entries);
  }

  close(): void {
    this.log?.close();
    this.log = undefined;
  }
}
