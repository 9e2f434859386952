/**
 * One proxied TCP connection: the client socket, the upstream socket, and a link per direction
 * (upstream = client -> server, downstream = server -> client) running that direction's toxics.
 * With no toxic a link is a plain forward with backpressure: one call per chunk, no copying.
 */
import type { Socket } from 'node:net';
import { createStage, type ConnectionControl, type Sink, type Stage, type StreamDirection, type Toxic } from './toxics.js';

class Link {
  private stages: Stage[] = [];
  private readonly sink: Sink;
  private head: Sink;
  private waitingDrain = false;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly conn: Connection,
    toxics: readonly Toxic[],
  ) {
    this.sink = {
      write: (chunk) => {
        if (dest.destroyed || dest.writableEnded) return;
        if (!dest.write(chunk) && !this.waitingDrain) {
          this.waitingDrain = true;
          source.pause();
          dest.once('drain', () => {
            this.waitingDrain = false;
            if (!conn.closed) source.resume();
          });
        }
      },
      end: () => {
        if (!dest.destroyed && !dest.writableEnded) dest.end();
      },
    };
    this.head = this.sink;
    for (const t of toxics) this.add(t);
    source.on('data', (chunk: Buffer) => this.head.write(chunk));
    source.on('end', () => this.head.end());
  }

  add(toxic: Toxic): void {
    const stage = createStage(toxic, this.conn, this.sink);
    const last = this.stages[this.stages.length - 1];
    if (last) last.next = stage;
    else this.head = stage;
    this.stages.push(stage);
  }

  remove(toxic: Toxic): void {
    const i = this.stages.findIndex((s) => s.toxic === toxic);
    if (i < 0) return;
    const stage = this.stages[i]!;
    const prev = this.stages[i - 1];
    if (prev) prev.next = stage.next;
    else this.head = stage.next;
    this.stages.splice(i, 1);
    stage.detach();
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
    private readonly onGone: (c: Connection) => void,
  ) {
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      s.on('error', () => this.destroy());
      s.on('close', () => this.destroy());
    }
    this.links = {
      upstream: new Link(client, upstream, this, toxics.upstream),
      downstream: new Link(upstream, client, this, toxics.downstream),
    };
  }

  addToxic(toxic: Toxic): void {
    if (!this.closed) this.links[toxic.stream].add(toxic);
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
