/**
 * A tiny TCP forwarder for tests: one directed link between two nodes that can be cut (open
 * connections reset, new ones refused) and healed. Each node reaches each peer through its own
 * forwarder, so a test can partition a cluster without Toxiproxy.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class Forwarder {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  cut = false;
  port = 0;

  constructor(
    /** Where connections go; may change while no connection is open (a node restarted elsewhere). */
    public targetPort: number,
    readonly host = '127.0.0.1',
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      if (this.cut) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, this.host, resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  /** Resets every open connection and refuses new ones until `heal`. */
  sever(): void {
    this.cut = true;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.sever();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
