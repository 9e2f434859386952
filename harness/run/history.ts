/**
 * Records the history: each op gets its dense index and its time (ns since the run started,
 * monotonic) and is appended to history.jsonl. Lines are buffered and written every
 * `flushMs` (and when the buffer grows), so a run that dies still leaves all but the last
 * moments of its history.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Op } from '../../core/op.js';

export type NewOp = Omit<Op, 'index' | 'time'>;

export interface HistoryCounts {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
}

export class HistoryWriter {
  private fd: number | undefined;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private nextIndex = 0;
  private readonly startMs: number;
  private readonly timer: NodeJS.Timeout;
  /** Client op counts, for progress lines. */
  readonly counts: HistoryCounts = { invoke: 0, ok: 0, fail: 0, info: 0 };

  constructor(
    readonly file: string,
    private readonly flushMs = 100,
  ) {
    this.fd = openSync(file, 'a');
    this.startMs = performance.now();
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  /** Nanoseconds since the history started. */
  now(): number {
    // performance.now() is monotonic with sub-microsecond resolution, and cheaper than hrtime.bigint().
    return Math.round((performance.now() - this.startMs) * 1e6);
  }

  private readonly listeners: ((op: Op) => void)[] = [];

  /** Calls `listener` with every op recorded from now on (the adaptive nemesis counts coverage live). */
  subscribe(listener: (op: Op) => void): void {
    this.listeners.push(listener);
  }

  record(op: NewOp): Op {
    const full: Op = { index: this.nextIndex++, time: this.now(), ...op };
    for (const listener of this.listeners) listener(full);
    if (typeof op.process === 'number') this.counts[op.type]++;
    const line = JSON.stringify(full);
    this.buffer.push(line);
    this.bufferedBytes += line.length + 1;
    if (this.bufferedBytes > 1 << 20) this.flush();
    return full;
  }

  get size(): number {
    return this.nextIndex;
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.bufferedBytes = 0;
    writeSync(this.fd, text);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
