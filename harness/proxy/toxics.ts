/**
 * The toxics of the embedded Toxiproxy: their attributes (names, defaults, validation) as the
 * API shows them, and the per-connection stages that apply them to a byte stream.
 *
 * A connection direction (a "link") is a chain of stages, one per toxic of that direction, in
 * the order the toxics were added, ending at the destination socket. A stage gets chunks with
 * write() and the end of input with end(), and hands data on to `next`. Stages are added to and
 * removed from live connections; a removed stage hands what it holds on (as Toxiproxy does),
 * except timeout, which closes the connection whose bytes it dropped (Toxiproxy's Cleanup).
 */

export type StreamDirection = 'upstream' | 'downstream';

export const toxicTypes = [
  'latency',
  'bandwidth',
  'slow_close',
  'timeout',
  'reset_peer',
  'slicer',
  'limit_data',
] as const;
export type ToxicType = (typeof toxicTypes)[number];

/** Attribute names of each toxic type, in Toxiproxy's JSON order; every one defaults to 0. */
export const toxicAttributes: Record<ToxicType, readonly string[]> = {
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  slow_close: ['delay'],
  timeout: ['timeout'],
  reset_peer: ['timeout'],
  slicer: ['average_size', 'size_variation', 'delay'],
  limit_data: ['bytes'],
};

export function isToxicType(type: string): type is ToxicType {
  return (toxicTypes as readonly string[]).includes(type);
}

/** A toxic as the proxy holds it (and as the API shows it). Mutable: updates change it in place. */
export interface Toxic {
  name: string;
  type: ToxicType;
  stream: StreamDirection;
  toxicity: number;
  attributes: Record<string, number>;
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

/** Where a stage's output goes: the next stage, or the destination socket. */
export interface Sink {
  write(chunk: Buffer): void;
  end(): void;
}

/** What a stage may do to its connection. */
export interface ConnectionControl {
  /** Closes both sockets (FIN), as Toxiproxy does when a toxic closes its stub. */
  close(): void;
  /** Resets both sockets (RST). */
  reset(): void;
}

export abstract class Stage implements Sink {
  next: Sink;
  protected timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly toxic: Toxic,
    protected readonly conn: ConnectionControl,
    next: Sink,
  ) {
    this.next = next;
  }

  abstract write(chunk: Buffer): void;
  abstract end(): void;

  /** Removed from a live chain: hand on what is held. */
  detach(): void {
    this.dispose();
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

/** Passes everything on: a toxic that did not hit this connection (toxicity). */
class PassStage extends Stage {
  write(chunk: Buffer): void {
    this.next.write(chunk);
  }
  end(): void {
    this.next.end();
  }
}

/**
 * Holds chunks and releases them in order at given times (latency, bandwidth, slicer).
 * `ended` is passed on after the last held chunk.
 */
abstract class QueueStage extends Stage {
  private queue: { chunk: Buffer; at: number }[] = [];
  private ended = false;
  private timer: NodeJS.Timeout | null = null;

  protected enqueue(chunk: Buffer, at: number): void {
    this.queue.push({ chunk, at });
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
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) this.next.write(this.queue.shift()!.chunk);
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

  override detach(): void {
    this.dispose();
    for (const { chunk } of this.queue.splice(0)) this.next.write(chunk);
    if (this.ended) this.next.end();
  }

  override dispose(): void {
    super.dispose();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** latency +/- jitter ms per chunk, measured from when the chunk was read; order kept. */
class LatencyStage extends QueueStage {
  write(chunk: Buffer): void {
    const latency = this.attr('latency');
    const jitter = this.attr('jitter');
    const delay = latency + (jitter > 0 ? Math.floor(Math.random() * jitter * 2) - jitter : 0);
    this.enqueue(chunk, Math.max(Date.now() + delay, this.lastReleaseAt()));
  }
}

/** rate KB/s (1 KB = 1000 bytes); chunks bigger than 100 ms worth go out in 100 ms pieces. */
class BandwidthStage extends QueueStage {
  private free = 0;
  write(chunk: Buffer): void {
    const rate = this.attr('rate');
    if (rate <= 0) {
      this.enqueue(chunk, Math.max(Date.now(), this.lastReleaseAt()));
      return;
    }
    const piece = rate * 100;
    for (let off = 0; off < chunk.length; off += piece) {
      const part = chunk.subarray(off, Math.min(chunk.length, off + piece));
      this.free = Math.max(this.free, Date.now()) + part.length / rate;
      this.enqueue(part, this.free);
    }
  }
}

/** Cuts chunks into average_size +/- size_variation byte slices, `delay` microseconds apart. */
class SlicerStage extends QueueStage {
  write(chunk: Buffer): void {
    const avg = Math.max(1, this.attr('average_size'));
    const variation = Math.min(this.attr('size_variation'), avg - 1);
    const delayMs = this.attr('delay') / 1000;
    const cuts = sliceOffsets(0, chunk.length, avg, variation);
    let at = Math.max(Date.now(), this.lastReleaseAt());
    for (let i = 1; i < cuts.length; i += 2) {
      this.enqueue(chunk.subarray(cuts[i - 1]!, cuts[i]!), at);
      at += delayMs;
    }
  }
}

/** Toxiproxy's slicer split: halve around the middle +/- variation until pieces are small. */
export function sliceOffsets(start: number, end: number, avg: number, variation: number): number[] {
  if (end - start - avg <= variation) return [start, end];
  const jitter = variation > 0 ? Math.floor(Math.random() * variation * 2) - variation : 0;
  const mid = start + Math.floor((end - start) / 2) + jitter;
  return [...sliceOffsets(start, mid, avg, variation), ...sliceOffsets(mid, end, avg, variation)];
}

/** Drops every byte; closes the connection after `timeout` ms (0: never, it hangs). */
class TimeoutStage extends Stage {
  constructor(toxic: Toxic, conn: ConnectionControl, next: Sink) {
    super(toxic, conn, next);
    const timeout = this.attr('timeout');
    if (timeout > 0) this.after(timeout, () => this.conn.close());
  }
  write(): void {
    // dropped on the floor
  }
  end(): void {
    this.conn.close();
  }
  override detach(): void {
    this.dispose();
    this.conn.close();
  }
}

/** Once data comes (or the input ends), waits `timeout` ms and resets the connection. */
class ResetPeerStage extends Stage {
  private armed = false;
  write(): void {
    this.arm();
  }
  end(): void {
    this.arm();
  }
  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.after(this.attr('timeout'), () => this.conn.reset());
  }
}

/** Passes `bytes` bytes (counted since the toxic was added), then closes the connection. */
class LimitDataStage extends Stage {
  private sent = 0;
  write(chunk: Buffer): void {
    const limit = this.attr('bytes');
    const room = Math.max(0, limit - this.sent);
    const part = room < chunk.length ? chunk.subarray(0, room) : chunk;
    if (part.length > 0) {
      this.next.write(part);
      this.sent += part.length;
    }
    if (this.sent >= limit) this.conn.close();
  }
  end(): void {
    this.next.end();
  }
}

/** Delays the end of the stream (the close) by `delay` ms. */
class SlowCloseStage extends Stage {
  private ended = false;
  write(chunk: Buffer): void {
    this.next.write(chunk);
  }
  end(): void {
    this.ended = true;
    this.after(this.attr('delay'), () => this.next.end());
  }
  override detach(): void {
    this.dispose();
    if (this.ended) this.next.end();
  }
}

const stageClasses: Record<ToxicType, new (toxic: Toxic, conn: ConnectionControl, next: Sink) => Stage> = {
  latency: LatencyStage,
  bandwidth: BandwidthStage,
  slow_close: SlowCloseStage,
  timeout: TimeoutStage,
  reset_peer: ResetPeerStage,
  slicer: SlicerStage,
  limit_data: LimitDataStage,
};

/** The stage of `toxic` for one connection; with probability 1 - toxicity a pass-through. */
export function createStage(toxic: Toxic, conn: ConnectionControl, next: Sink): Stage {
  if (Math.random() >= toxic.toxicity) return new PassStage(toxic, conn, next);
  return new stageClasses[toxic.type](toxic, conn, next);
}
