/**
 * A node's replicated map: every key with its value and the version of the write that set it;
 * deleted keys stay as tombstones (value null) so deletes replicate and order against writes.
 * With a data dir, term and map are written durably on every change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../common/durable.js';
import { mutant } from '../common/mutants.js';
import { compareVersions, isVersion, makeVersion, maxVersion, versionParts, type Version } from './version.js';

export interface Entry {
  value: unknown;
  version: Version;
  deleted?: true;
}

/** What the leader pushes: the course's `data` map plus the versions and tombstones. */
export interface MapPayload {
  data: Record<string, unknown>;
  versions: Record<string, Version>;
  tombstones: Record<string, Version>;
  revision: Version | null;
}

interface Persisted {
  term: number;
  revision: Version | null;
  counter: number;
  entries: Record<string, Entry>;
}

export class StoreState {
  term = 0;
  /** The newest write this map reflects (the leader's last version when it was pushed). */
  revision: Version | null = null;
  /** The last write counter used or seen; a new leader continues from it. */
  counter = 0;
  entries = new Map<string, Entry>();
  private readonly file: string | undefined;

  constructor(dataDir?: string) {
    this.file = dataDir ? join(dataDir, 'store.json') : undefined;
  }

  /** Reads the persisted state; throws with the file named when it is unreadable. */
  load(): void {
    if (!this.file || !existsSync(this.file)) return;
    let raw: Persisted;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8')) as Persisted;
    } catch (err) {
      throw new Error(`${this.file}: cannot read the stored state: ${(err as Error).message}`);
    }
    if (typeof raw?.term !== 'number' || typeof raw.counter !== 'number' || typeof raw.entries !== 'object' || raw.entries === null) {
      throw new Error(`${this.file}: not a store state file (term, counter, entries expected)`);
    }
    this.term = raw.term;
    this.counter = raw.counter;
    this.revision = isVersion(raw.revision) ? raw.revision : null;
    this.entries = new Map(Object.entries(raw.entries).filter(([, e]) => isVersion(e?.version)));
  }

  save(): void {
    if (!this.file) return;
    const data: Persisted = { term: this.term, revision: this.revision, counter: this.counter, entries: Object.fromEntries(this.entries) };
    writeFileDurably(this.file, JSON.stringify(data), !mutant('store-no-fsync'));
  }

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  liveKeys(): string[] {
    return [...this.entries].filter(([, e]) => !e.deleted).map(([k]) => k);
  }

  /** A fresh version for a write by the leader of the current term. */
  private nextVersion(): Version {
    this.counter += 1;
    const v = makeVersion(this.term, this.counter);
    this.revision = v;
    return v;
  }

  put(key: string, value: unknown): Version {
    const version = this.nextVersion();
    this.entries.set(key, { value, version });
    this.save();
    return version;
  }

  /** Deletes a key: a tombstone, or (merge-only replication) the key simply removed. */
  delete(key: string, tombstone: boolean): Version {
    const version = this.nextVersion();
    if (tombstone) this.entries.set(key, { value: null, version, deleted: true });
    else this.entries.delete(key);
    this.save();
    return version;
  }

  payload(withTombstones: boolean): MapPayload {
    const out: MapPayload = { data: {}, versions: {}, tombstones: {}, revision: this.revision };
    for (const [key, e] of this.entries) {
      if (e.deleted) {
        if (withTombstones) out.tombstones[key] = e.version;
      } else {
        out.data[key] = e.value;
        out.versions[key] = e.version;
      }
    }
    return out;
  }

  /** The follower adopts the leader's map as it is (deletes included). */
  replace(p: MapPayload, term: number): void {
    this.entries = payloadEntries(p, term);
    this.revision = p.revision;
    this.noteCounters();
    this.save();
  }

  /** Merges entries in, the newer version winning per key; keys absent from `incoming` stay. */
  merge(incoming: Map<string, Entry>, revision: Version | null): void {
    for (const [key, e] of incoming) {
      if (compareVersions(e.version, this.entries.get(key)?.version) >= 0) this.entries.set(key, e);
    }
    this.revision = maxVersion(this.revision, revision);
    this.noteCounters();
    this.save();
  }

  private noteCounters(): void {
    for (const e of this.entries.values()) this.counter = Math.max(this.counter, versionParts(e.version).seq);
    if (this.revision) this.counter = Math.max(this.counter, versionParts(this.revision).seq);
  }
}

/** The entries of a payload; a write without a version (a course-style leader) gets `term.0`. */
export function payloadEntries(p: MapPayload, term = 0): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const [key, value] of Object.entries(p.data)) {
    const v = p.versions[key];
    entries.set(key, { value, version: isVersion(v) ? v : makeVersion(term, 0) });
  }
  for (const [key, v] of Object.entries(p.tombstones)) {
    if (isVersion(v)) entries.set(key, { value: null, version: v, deleted: true });
  }
  return entries;
}
