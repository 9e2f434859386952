/** Writing state so it survives a crash: fsync before the caller answers anyone. */
import { openSync, writeSync, fsyncSync, closeSync, renameSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** fsync of a folder: makes the names in it (files created, renamed, removed) durable. */
function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes `dir` (and missing parents) so that it survives a crash: each folder it created is
 *  made durable by an fsync of its parent (a new folder's name is in its parent, like a file's). */
function mkdirDurably(dir: string): void {
  const first = mkdirSync(dir, { recursive: true });
  if (first === undefined) return;
  const created: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    created.push(d);
    if (d === first || d === dirname(d)) break;
  }
  for (const d of created) syncFolder(dirname(d));
}

/** Replaces `file` atomically (write to a temp file, fsync, rename, fsync the folder); `sync: false` skips both fsyncs (a mutant's mistake). */
export function writeFileDurably(file: string, data: string, sync = true): void {
  mkdirDurably(dirname(file));
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  if (sync) syncFolder(dirname(file));
}

/** An append-only log of JSON lines, fsynced on every append (`sync: false` skips the fsync: a
 *  mutant's mistake). A log file it creates is made durable (its folder fsynced) at once. */
export class JsonLog<T> {
  private fd: number;

  constructor(
    readonly file: string,
    private readonly sync = true,
  ) {
    mkdirDurably(dirname(file));
    const created = !existsSync(file);
    this.fd = openSync(file, 'a');
    if (created) syncFolder(dirname(file));
  }

  append(entry: T): void {
    writeSync(this.fd, JSON.stringify(entry) + '\n');
    if (this.sync) fsyncSync(this.fd);
  }

  appendMany(entries: readonly T[]): void {
    if (entries.length === 0) return;
    writeSync(this.fd, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    if (this.sync) fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Every complete entry of the log; a torn last line (crash mid-write) is skipped. */
  static read<T>(file: string): T[] {
    if (!existsSync(file)) return [];
    const out: T[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        break;
      }
    }
    return out;
  }
}
