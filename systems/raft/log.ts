/** The in-memory Raft log: entries indexed from 1, with index 0 as the empty sentinel (term 0). */

export interface LogEntry {
  index: number;
  term: number;
  /** The course's command: a JSON string (`{"type":"SET",...}`, `{"type":"DELETE",...}`, `{"type":"NOOP"}`). */
  command: string;
}

export class RaftLog {
  private entries: LogEntry[] = [];

  constructor(initial: readonly LogEntry[] = []) {
    this.entries = [...initial];
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  get lastTerm(): number {
    return this.termAt(this.entries.length) ?? 0;
  }

  /** The term of the entry at `index` (0 for index 0), or undefined past the end. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  at(index: number): LogEntry | undefined {
    return index >= 1 ? this.entries[index - 1] : undefined;
  }

  /** Entries from `from` (inclusive), at most `maxCount` of them and about `maxBytes` (always at least one). */
  slice(from: number, maxCount: number, maxBytes: number): LogEntry[] {
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let i = Math.max(from, 1); i <= this.entries.length && out.length < maxCount; i++) {
      const entry = this.entries[i - 1]!;
      bytes += entry.command.length + 40;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  append(entry: LogEntry): void {
    if (entry.index !== this.entries.length + 1) throw new Error(`log: appending index ${entry.index} after ${this.entries.length}`);
    this.entries.push(entry);
  }

  /** Drops the entries from `index` on. */
  truncateFrom(index: number): void {
    this.entries.length = Math.max(0, index - 1);
  }

  /** The first index of `term` in the log at or before `index` (for a follower's conflict hint). */
  firstIndexOfTerm(term: number, index: number): number {
    let i = Math.min(index, this.entries.length);
    while (i > 1 && this.entries[i - 2]!.term === term) i--;
    return i;
  }

  all(): readonly LogEntry[] {
    return this.entries;
  }
}
