/**
 * One proxied TCP connection: the client socket, the upstream socket, and a link per direction
 * (upstream = client -> server, downstream = server -> client) running that direction's toxics.
 * With no toxic a link is a plain forward with backpressure: one call per chunk, no copying, no
 * timer; a chain of stages exists only while the direction has toxics, and is changed in place
 * on a live connection (bytes held by a stage are handed on in order, never lost).
 * The upstream socket (dialled by the proxy) reads into one reusable buffer (`upstreamReader`),
 * so the server -> client direction allocates nothing per chunk.
 */
import type { OnReadOpts, Socket } from 'node:net';
import { runStage, type ConnectionControl, type Sink, type Stage, type StageState, type StreamDirection, type Toxic } from './toxics.js';

/** Bytes read from the source and written to the destination of one direction of a proxy. */
export interface ByteCounts {
  received: number;
  sent: number;
}

/** Bytes a destination socket may have queued before its source is paused. */
const MAX_QUEUED = 1 << 20;

/** Size of the reusable read buffer of an upstream socket (as Node's own reads: 64 KiB). */
const READ_BUFFER = 64 * 1024;

/**
 * The `onread` option of the upstream socket: reads go into one buffer that is used again for
 * the next read unless a write still refers to it (the destination could not take it all at
 * once), in which case the next read gets a new one. `deliver(chunk, borrowed)` gets each read;
 * a borrowed chunk is only valid during the call: keeping it needs a copy. A false return from
 * `deliver` pauses the socket (resume() reads again).
 */
export interface UpstreamReader {
  onread: OnReadOpts;
  /** Where reads go (set once the connection exists; reads before that cannot happen: reading starts on connect). */
  deliver: (chunk: Buffer) => boolean;
  /** The buffer just read into is still referred to by a write: read the next data into a new one. */
  keep(): void;
}

export function upstreamReader(): UpstreamReader {
  let buffer = Buffer.allocUnsafe(READ_BUFFER);
  let kept = false;
  const reader: UpstreamReader = {
    deliver: () => true,
    keep: () => {
      kept = true;
    },
    onread: {
      buffer: () => {
        if (kept) {
          buffer = Buffer.allocUnsafe(READ_BUFFER);
          kept = false;
        }
        return buffer;
      },
      // the buffer read into is always the one `buffer()` returned last
      callback: (size) => reader.deliver(buffer.subarray(0, size)),
    },
  };
  return reader;
}

class Link {
  private stages: Stage[] = [];
  private readonly states = new Map<Toxic, StageState>();
  private readonly sink: Sink;
  private head: Sink;
  private waitingDrain = false;

  /**
   * `reader`: the source reads into a reusable buffer (the upstream socket); without it the
   * source's 'data' chunks are its own.
   */
  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly conn: Connection,
    toxics: readonly Toxic[],
    counts: ByteCounts,
    reader?: UpstreamReader,
  ) {
    const resume = (): void => {
      this.waitingDrain = false;
      if (!conn.closed) source.resume();
    };
    this.sink = {
      write: (chunk) => {
        if (dest.destroyed || dest.writableEnded) return;
        counts.sent += chunk.length;
        // pause the source only when a good amount is queued (not at the 16 KiB high-water
        // mark): fewer read stops and starts on a bulk transfer
        dest.write(chunk);
        if (dest.writableLength > MAX_QUEUED && !this.waitingDrain) {
          this.waitingDrain = true;
          source.pause();
          dest.once('drain', resume);
        }
      },
      end: () => {
        if (!dest.destroyed && !dest.writableEnded) dest.end();
      },
    };
    this.head = this.sink;
    for (const t of toxics) this.add(t);
    if (reader) {
      reader.deliver = (chunk) => {
        counts.received += chunk.length;
        if (this.head === this.sink) {
          this.sink.write(chunk, 0);
          // not all of it went to the kernel at once: the write still reads this buffer
          if (dest.writableLength > 0) reader.keep();
        } else {
          // a toxic may hold the chunk: it gets its own copy
          this.head.write(Buffer.from(chunk), performance.now());
        }
        return !this.waitingDrain;
      };
    } else {
      source.on('data', (chunk: Buffer) => {
        counts.received += chunk.length;
        this.head.write(chunk, this.head === this.sink ? 0 : performance.now());
      });
    }
    source.on('end', () => this.head.end());
  }

  add(toxic: Toxic): void {
    const state: StageState = { sent: 0 };
    this.states.set(toxic, state);
    const stage = runStage(toxic, this.conn, this.sink, state);
    this.link(this.stages.length, stage);
    this.stages.push(stage);
  }

  /** Runs `toxic`'s stage again (its attributes or toxicity changed): the new run takes over what the old one held. */
  restart(toxic: Toxic): void {
    const i = this.stages.findIndex((s) => s.toxic === toxic);
    const old = this.stages[i];
    if (!old || !old.interruptible()) return;
    const held = old.stop();
    const stage = runStage(toxic, this.conn, old.next, this.states.get(toxic)!);
    this.stages[i] = stage;
    this.link(i, stage);
    for (const { chunk, since } of held.chunks) stage.write(chunk, since);
    if (held.ended) stage.end();
  }

  remove(toxic: Toxic): void {
    const i = this.stages.findIndex((s) => s.toxic === toxic);
    const stage = this.stages[i];
    if (!stage) return;
    this.stages.splice(i, 1);
    this.states.delete(toxic);
    this.link(i, stage.next);
    const held = stage.stop();
    if (toxic.type === 'timeout') {
      // Toxiproxy's Cleanup: the connection whose bytes the toxic dropped is closed
      this.conn.close();
      return;
    }
    for (const { chunk, since } of held.chunks) stage.next.write(chunk, since);
    if (held.ended) stage.next.end();
  }

  /** Makes `to` what comes after position i - 1 of the chain (the head when i is 0). */
  private link(i: number, to: Sink): void {
    const prev = this.stages[i - 1];
    if (prev) prev.next = to;
    else this.head = to;
  }

  dispose(): void {
    for (const s of this.stages) s.dispose();
  }
}

export class Connection implements ConnectionControl {
  closed = false;
  private readonly links: Record<StreamDirection, Link>;

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
    toxics: Record<StreamDirection, readonly Toxic[]>,
    counts: Record<StreamDirection, ByteCounts>,
    private readonly onGone: (c: Connection) => void,
    /** How `upstream` reads (the `onread` it was dialled with). */
    upstreamReads: UpstreamReader,
  ) {
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      s.on('error', () => this.destroy());
      s.on('close', () => this.destroy());
    }
    this.links = {
      upstream: new Link(client, upstream, this, toxics.upstream, counts.upstream),
      downstream: new Link(upstream, client, this, toxics.downstream, counts.downstream, upstreamReads),
    };
  }

  addToxic(toxic: Toxic): void {
    if (!this.closed) this.links[toxic.stream].add(toxic);
  }

  updateToxic(toxic: Toxic): void {
    if (!this.closed) this.links[toxic.stream].restart(toxic);
  }

  removeToxic(toxic: Toxic): void {
    if (!this.closed) this.links[toxic.stream].remove(toxic);
  }

  close(): void {
    if (this.finish()) return;
    for (const s of [this.client, this.upstream]) {
      s.pause();
      if (s.destroyed) continue;
      s.end(() => s.destroy());
      // a peer that never reads must not keep the socket alive
      setTimeout(() => s.destroy(), 2000).unref();
    }
  }

  reset(): void {
    if (this.finish()) return;
    for (const s of [this.client, this.upstream]) if (!s.destroyed) s.resetAndDestroy();
  }

  /** Closes both sockets at once (proxy disabled or deleted, a socket failed). */
  destroy(): void {
    if (this.finish()) return;
    this.client.destroy();
    this.upstream.destroy();
  }

  /** Destroys both sockets whatever state the connection is in (proxy stopped). */
  kill(): void {
    this.finish();
    this.client.destroy();
    this.upstream.destroy();
  }

  /** Marks the connection closed; true when it already was. */
  private finish(): boolean {
    if (this.closed) return true;
    this.closed = true;
    this.links.upstream?.dispose();
    this.links.downstream?.dispose();
    this.onGone(this);
    return false;
  }
}
