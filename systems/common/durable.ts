/** Writing state so it survives a crash: fsync before the caller answers anyone. */
import { openSync, writeSync, fsyncSync, closeSync, renameSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Replaces `file` atomically (write to a temp file, fsync, rename, fsync the folder); `sync: false` skips both fsyncs (a mutant's mistake). */
export function writeFileDurably(file: string, data: string, sync = true): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  if (!sync) return;
  const dirFd = openSync(dirname(file), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** An append-only log of JSON lines, fsynced on every append (`sync: false` skips the fsync: a mutant's mistake). */
export class JsonLog<T> {
  private fd: number;

  constructor(
    readonly file: string,
    private readonly sync = true,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
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
