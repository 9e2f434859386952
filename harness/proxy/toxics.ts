/**
 * The toxics of the embedded Toxiproxy: their attributes (names, bounds) as the API shows them,
 * and the per-connection stages that apply them to a byte stream.
 *
 * A connection direction (a "link") is a chain of stages, one per toxic of that direction, in
 * the order the toxics were added, ending at the destination socket. A stage gets chunks with
 * write() and the end of input with end(), and hands data on to `next`. As in Toxiproxy, a stage
 * is "run" when it is created and again whenever its toxic is updated: each run draws the toxic's
 * toxicity again (a pass-through when it misses) and takes over what the previous run held
 * (stop()), so an update reaches open connections at once. A removed stage hands what it holds on,
 * except timeout, which closes the connection (Toxiproxy's Cleanup).
 */
import type { Random } from '../../core/random.js';

export type StreamDirection = 'upstream' | 'downstream';

export const toxicTypes = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data', 'noop'] as const;
export type ToxicType = (typeof toxicTypes)[number];

/** Longest duration an attribute may give (ms, or µs for slicer's delay): a timer's limit. */
export const MAX_DURATION = 2 ** 31 - 1;

/** Attribute names of each toxic type, in Toxiproxy's JSON order, with their upper bound; every one defaults to 0. */
export const toxicAttributes: Record<ToxicType, readonly { name: string; max: number }[]> = {
  latency: [
    { name: 'latency', max: MAX_DURATION },
    { name: 'jitter', max: MAX_DURATION },
  ],
  bandwidth: [{ name: 'rate', max: Number.MAX_SAFE_INTEGER }],
  slow_close: [{ name: 'delay', max: MAX_DURATION }],
  timeout: [{ name: 'timeout', max: MAX_DURATION }],
  reset_peer: [{ name: 'timeout', max: MAX_DURATION }],
  slicer: [
    { name: 'average_size', max: Number.MAX_SAFE_INTEGER },
    { name: 'size_variation', max: Number.MAX_SAFE_INTEGER },
    { name: 'delay', max: MAX_DURATION },
  ],
  limit_data: [{ name: 'bytes', max: Number.MAX_SAFE_INTEGER }],
  noop: [],
};

export function isToxicType(type: string): type is ToxicType {
  return (toxicTypes as readonly string[]).includes(type);
}

/** A toxic as the proxy holds it. Mutable: updates change it in place (then its stages run again). */
export interface Toxic {
  name: string;
  type: ToxicType;
  stream: StreamDirection;
  toxicity: number;
  attributes: Record<string, number>;
  /** Draws this toxic's toxicity per run, its jitter and slice sizes (seeded when the server is). */
  random: Random;
}

export function toxicJson(t: Toxic): {
  attributes: Record<string, number>;
  name: string;
  type: string;
  stream: string;
  toxicity: number;
} {
  return { attributes: { ...t.attributes }, name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity };
}

/** Where a stage's output goes: the next stage, or the destination socket. `since`: when the chunk was read (ms, performance.now()). */
export interface Sink {
  write(chunk: Buffer, since: number): void;
  end(): void;
}

/** What a stage may do to its connection. */
export interface ConnectionControl {
  /** Closes both sockets (FIN), as Toxiproxy does when a toxic closes its stub. */
  close(): void;
  /** Resets both sockets (RST). */
  reset(): void;
}

/** What a stage held when it stopped: chunks not yet passed on, and whether the input had ended. */
export interface Held {
  chunks: { chunk: Buffer; since: number }[];
  ended: boolean;
}

/** Per connection and toxic, kept across runs (Toxiproxy's stateful toxics: limit_data's count). */
export interface StageState {
  sent: number;
}

export abstract class Stage implements Sink {
  next: Sink;
  protected timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly toxic: Toxic,
    protected readonly conn: ConnectionControl,
    next: Sink,
    protected readonly state: StageState,
  ) {
    this.next = next;
  }

  abstract write(chunk: Buffer, since: number): void;
  abstract end(): void;

  /** False while the run cannot be interrupted (a reset_peer waiting to reset, as in Toxiproxy). */
  interruptible(): boolean {
    return true;
  }

  /** Ends this run: stops its timers and gives back what it held, not passed on. */
  stop(): Held {
    this.dispose();
    return { chunks: [], ended: false };
  }

  /** The connection is gone: stop every timer. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  protected after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  protected attr(name: string): number {
    return this.toxic.attributes[name] ?? 0;
  }
}

/** Passes everything on: `noop`, and a toxic whose toxicity missed this run. */
class PassStage extends Stage {
  write(chunk: Buffer, since: number): void {
    this.next.write(chunk, since);
  }
  end(): void {
    this.next.end();
  }
}

/**
 * Holds chunks and releases them in order at given times (latency, bandwidth).
 * `ended` is passed on after the last held chunk.
 */
abstract class QueueStage extends Stage {
  private queue: { chunk: Buffer; since: number; at: number }[] = [];
  private ended = false;
  private timer: NodeJS.Timeout | null = null;

  protected enqueue(chunk: Buffer, since: number, at: number): void {
    this.queue.push({ chunk, since, at });
    this.pump();
  }

  protected lastReleaseAt(): number {
    return this.queue.length > 0 ? this.queue[this.queue.length - 1]!.at : 0;
  }

  end(): void {
    this.ended = true;
    this.pump();
  }

  private pump(): void {
    if (this.timer) return;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const { chunk, at } = this.queue.shift()!;
      this.next.write(chunk, at);
    }
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, this.queue[0]!.at - now);
    } else if (this.ended) {
      this.ended = false;
      this.next.end();
    }
  }

  override stop(): Held {
    this.dispose();
    const held = { chunks: this.queue.splice(0).map(({ chunk, since }) => ({ chunk, since })), ended: this.ended };
    this.ended = false;
    return held;
  }

  override dispose(): void {
    super.dispose();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** latency +/- jitter ms per chunk, measured from when the chunk was read; order kept. */
class LatencyStage extends QueueStage {
  write(chunk: Buffer, since: number): void {
    const latency = this.attr('latency');
    const jitter = this.attr('jitter');
    // Go: rand.Int63n(jitter*2) - jitter
    const delay = latency + (jitter > 0 ? this.toxic.random.int(jitter * 2) - jitter : 0);
    this.enqueue(chunk, since, Math.max(since + delay, this.lastReleaseAt()));
  }
}

/** rate KB/s (1 KB = 1000 bytes); chunks bigger than 100 ms worth go out in 100 ms pieces. */
class BandwidthStage extends QueueStage {
  private free = 0;
  write(chunk: Buffer, since: number): void {
    const rate = this.attr('rate');
    if (rate <= 0) {
      this.enqueue(chunk, since, Math.max(performance.now(), this.lastReleaseAt()));
      return;
    }
    const piece = rate * 100;
    for (let off = 0; off < chunk.length; off += piece) {
      const part = chunk.subarray(off, Math.min(chunk.length, off + piece));
      this.free = Math.max(this.free, performance.now()) + part.length / rate;
      this.enqueue(part, since, this.free);
    }
  }
}

/**
 * Cuts chunks into average_size +/- size_variation byte slices and writes them one at a time,
 * `delay` microseconds apart (sub-millisecond delays too: the next slice waits on setImmediate
 * turns until its time, so slices are separate writes, never a burst).
 */
class SlicerStage extends Stage {
  private slices: { chunk: Buffer; since: number }[] = [];
  private head = 0;
  private ended = false;
  private waiting: NodeJS.Timeout | NodeJS.Immediate | null = null;

  write(chunk: Buffer, since: number): void {
    const avg = Math.max(1, this.attr('average_size'));
    const variation = Math.min(this.attr('size_variation'), avg - 1);
    const cuts = sliceOffsets(0, chunk.length, avg, variation, this.toxic.random);
    for (let i = 1; i < cuts.length; i += 2) this.slices.push({ chunk: chunk.subarray(cuts[i - 1]!, cuts[i]!), since });
    if (!this.waiting) this.pump();
  }

  end(): void {
    this.ended = true;
    if (!this.waiting) this.pump();
  }

  private pump(): void {
    this.waiting = null;
    const delayUs = this.attr('delay');
    while (this.head < this.slices.length) {
      const { chunk, since } = this.slices[this.head++]!;
      this.next.write(chunk, since);
      if (delayUs > 0 && this.head < this.slices.length) {
        this.waitUntil(performance.now() + delayUs / 1000);
        return;
      }
    }
    this.slices = [];
    this.head = 0;
    if (this.ended) {
      this.ended = false;
      this.next.end();
    }
  }

  private waitUntil(due: number): void {
    const left = due - performance.now();
    if (left <= 0) this.pump();
    else if (left >= 1) this.waiting = setTimeout(() => this.waitUntil(due), Math.floor(left));
    else this.waiting = setImmediate(() => this.waitUntil(due));
  }

  override stop(): Held {
    this.dispose();
    const held = { chunks: this.slices.slice(this.head), ended: this.ended };
    this.slices = [];
    this.head = 0;
    this.ended = false;
    return held;
  }

  override dispose(): void {
    super.dispose();
    if (this.waiting) {
      clearTimeout(this.waiting as NodeJS.Timeout);
      clearImmediate(this.waiting as NodeJS.Immediate);
    }
    this.waiting = null;
  }
}

/** Toxiproxy's slicer split: halve around the middle +/- variation until pieces are small. */
export function sliceOffsets(start: number, end: number, avg: number, variation: number, random: Random): number[] {
  if (end - start - avg <= variation) return [start, end];
  const jitter = variation > 0 ? random.int(variation * 2) - variation : 0;
  const mid = start + Math.floor((end - start) / 2) + jitter;
  return [...sliceOffsets(start, mid, avg, variation, random), ...sliceOffsets(mid, end, avg, variation, random)];
}

/**
 * Drops every byte. With `timeout` > 0 it is an idle timer, as in Toxiproxy: the connection is
 * closed once no data has come for `timeout` ms (each chunk, though dropped, starts it again);
 * with 0 it never closes (the connection hangs).
 */
class TimeoutStage extends Stage {
  private last = performance.now();

  constructor(toxic: Toxic, conn: ConnectionControl, next: Sink, state: StageState) {
    super(toxic, conn, next, state);
    const timeout = this.attr('timeout');
    if (timeout > 0) this.check(timeout);
  }

  private check(wait: number): void {
    this.after(wait, () => {
      const idle = performance.now() - this.last;
      const timeout = this.attr('timeout');
      if (idle >= timeout - 1) this.conn.close();
      else this.check(timeout - idle);
    });
  }

  write(): void {
    this.last = performance.now(); // the data itself is dropped on the floor
  }

  end(): void {
    this.conn.close();
  }
}

/** Once data comes, waits `timeout` ms and resets the connection; an update does not stop a reset under way. */
class ResetPeerStage extends Stage {
  private armed = false;
  write(): void {
    if (this.armed) return;
    this.armed = true;
    this.after(this.attr('timeout'), () => this.conn.reset());
  }
  end(): void {
    this.write();
  }
  override interruptible(): boolean {
    return !this.armed;
  }
}

/** Passes `bytes` bytes (counted since the toxic was added, across updates), then closes the connection. */
class LimitDataStage extends Stage {
  write(chunk: Buffer, since: number): void {
    const limit = this.attr('bytes');
    const room = Math.max(0, limit - this.state.sent);
    const part = room < chunk.length ? chunk.subarray(0, room) : chunk;
    if (part.length > 0) {
      this.next.write(part, since);
      this.state.sent += part.length;
    }
    if (this.state.sent >= limit) this.conn.close();
  }
  end(): void {
    this.next.end();
  }
}

/** Delays the end of the stream (the close) by `delay` ms. */
class SlowCloseStage extends Stage {
  private ended = false;
  write(chunk: Buffer, since: number): void {
    this.next.write(chunk, since);
  }
  end(): void {
    this.ended = true;
    this.after(this.attr('delay'), () => this.next.end());
  }
  override stop(): Held {
    this.dispose();
    return { chunks: [], ended: this.ended };
  }
}

type StageClass = new (toxic: Toxic, conn: ConnectionControl, next: Sink, state: StageState) => Stage;

const stageClasses: Record<ToxicType, StageClass> = {
  latency: LatencyStage,
  bandwidth: BandwidthStage,
  slow_close: SlowCloseStage,
  timeout: TimeoutStage,
  reset_peer: ResetPeerStage,
  slicer: SlicerStage,
  limit_data: LimitDataStage,
  noop: PassStage,
};

/** One run of `toxic` on one connection direction: with probability 1 - toxicity a pass-through. */
export function runStage(toxic: Toxic, conn: ConnectionControl, next: Sink, state: StageState): Stage {
  // Go: rand.Float32() < toxicity runs the toxic, else a noop
  if (!(toxic.random.float() < toxic.toxicity)) return new PassStage(toxic, conn, next, state);
  return new stageClasses[toxic.type](toxic, conn, next, state);
}
