/**
 * One proxy of the embedded Toxiproxy: a TCP listener that forwards every accepted connection to
 * its upstream through the proxy's toxics. Disabled = no listener and no connections.
 */
import net from 'node:net';
import { Connection, upstreamReader, type ByteCounts } from './connection.js';
import { ApiError } from './errors.js';
import type { StreamDirection, Toxic } from './toxics.js';
import { toxicJson } from './toxics.js';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * The listen address as Go's net.Listen("tcp", address) reads it, or its error as Go words it
 * (`listen tcp: address nonsense: missing port in address`).
 */
function listenAddress(address: string): HostPort {
  const fail = (why: string): never => {
    throw new ApiError(`listen tcp: ${why}`, 500);
  };
  const i = address.lastIndexOf(':');
  if (i < 0) fail(`address ${address}: missing port in address`);
  const host = address.slice(0, i);
  const portText = address.slice(i + 1);
  if (host.startsWith('[') !== host.endsWith(']') || (!host.startsWith('[') && host.includes(':'))) fail(`address ${address}: too many colons in address`);
  if (portText !== '' && !/^\d+$/.test(portText)) fail(`address tcp/${portText}: unknown port`);
  const port = Number(portText);
  if (port > 65535) fail(`address ${portText}: invalid port`);
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

/** Parses "host:port" / "[::1]:port" / ":port" as Go's net package does; null when malformed. */
export function parseAddress(address: string): HostPort | null {
  const i = address.lastIndexOf(':');
  if (i < 0) return null;
  let host = address.slice(0, i);
  const portText = address.slice(i + 1);
  if (!/^\d+$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return null;
    host = host.slice(1, -1);
  } else if (host.includes(':')) {
    return null;
  }
  return { host, port };
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export class Proxy {
  enabled = false;
  readonly toxics: Record<StreamDirection, Toxic[]> = { upstream: [], downstream: [] };
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private readonly pending = new Set<net.Socket>();
  /** Every socket of this proxy still open, both sides, also those of connections closing. */
  private readonly sockets = new Set<net.Socket>();
  /** Bytes per direction since the proxy was created (GET /metrics). */
  readonly counts: Record<StreamDirection, ByteCounts> = { upstream: { received: 0, sent: 0 }, downstream: { received: 0, sent: 0 } };

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
  ) {}

  json(): { name: string; listen: string; upstream: string; enabled: boolean; toxics: ReturnType<typeof toxicJson>[] } {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxicList().map(toxicJson),
    };
  }

  /** Upstream toxics first, then downstream, each in the order added (as Toxiproxy lists them). */
  toxicList(): Toxic[] {
    return [...this.toxics.upstream, ...this.toxics.downstream];
  }

  findToxic(name: string): Toxic | undefined {
    return this.toxicList().find((t) => t.name === name);
  }

  /** Opens the listener; `listen` becomes the real address (a :0 port resolved). Errors read as Go's net.Listen's. */
  async start(): Promise<void> {
    if (this.enabled) return;
    const addr = listenAddress(this.listen);
    // Go listens on every interface for an empty host and resolves localhost to 127.0.0.1
    const host = addr.host === '' ? '::' : addr.host === 'localhost' ? '127.0.0.1' : addr.host;
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        // Go names the resolved address: "listen tcp 127.0.0.1:3310: bind: address already in use"
        const where = formatAddress(host === '::' ? '' : host, addr.port);
        const why = err.code === 'EADDRINUSE' ? 'bind: address already in use' : err.code === 'EADDRNOTAVAIL' ? 'bind: cannot assign requested address' : err.code === 'EACCES' ? 'bind: permission denied' : err.message;
        reject(new ApiError(`listen tcp ${where}: ${why}`, 500));
      });
      server.listen({ host, port: addr.port }, () => resolve());
    });
    server.on('error', () => undefined);
    const bound = server.address() as net.AddressInfo;
    this.listen = formatAddress(bound.address, bound.port);
    this.server = server;
    this.enabled = true;
  }

  /** Closes the listener and every connection (clients see their connection closed). */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = null;
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    for (const c of [...this.connections]) c.kill();
    this.connections.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (input.listen !== this.listen || input.upstream !== this.upstream) {
      await this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else await this.stop();
    }
  }

  addToxic(toxic: Toxic): void {
    this.toxics[toxic.stream].push(toxic);
    for (const c of this.connections) c.addToxic(toxic);
  }

  /** The toxic's attributes or toxicity changed: every open connection runs it again. */
  updateToxic(toxic: Toxic): void {
    for (const c of this.connections) c.updateToxic(toxic);
  }

  removeToxic(toxic: Toxic): void {
    const list = this.toxics[toxic.stream];
    const i = list.indexOf(toxic);
    if (i >= 0) list.splice(i, 1);
    for (const c of [...this.connections]) c.removeToxic(toxic);
  }

  resetToxics(): void {
    for (const t of this.toxicList()) this.removeToxic(t);
  }

  private accept(client: net.Socket): void {
    const addr = parseAddress(this.upstream);
    if (!addr) {
      client.destroy();
      return;
    }
    this.pending.add(client);
    client.on('error', () => undefined);
    const reader = upstreamReader();
    const upstream = net.connect({ host: addr.host || '127.0.0.1', port: addr.port, allowHalfOpen: true, noDelay: true, onread: reader.onread });
    this.pending.add(upstream);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    }
    const drop = (): void => {
      this.pending.delete(client);
      this.pending.delete(upstream);
    };
    upstream.once('error', () => {
      drop();
      client.destroy();
      upstream.destroy();
    });
    client.once('close', () => {
      if (this.pending.has(client)) {
        drop();
        upstream.destroy();
      }
    });
    upstream.once('connect', () => {
      if (!this.pending.has(client)) {
        upstream.destroy();
        return;
      }
      drop();
      const conn = new Connection(client, upstream, this.toxics, this.counts, (c) => this.connections.delete(c), reader);
      this.connections.add(conn);
      client.resume();
    });
  }
}
