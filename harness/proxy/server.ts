/**
 * faultline's embedded Toxiproxy-compatible server: the Toxiproxy v2 HTTP API and TCP proxies
 * with its toxics, in-process. Used when no TOXIPROXY_URL is given, and by `faultline proxy`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ToxiproxyApi } from './api.js';
import { formatAddress } from './proxy.js';

export interface EmbeddedToxiproxyOptions {
  /** API host (default 127.0.0.1). */
  host?: string;
  /** API port (default 8474; 0 = a free port). */
  port?: number;
  /** Seeds the toxics' random choices (toxicity per connection, jitter, slice sizes); default random. */
  seed?: number;
}

export interface EmbeddedToxiproxy {
  /** http://host:port of the API. */
  url: string;
  /** Stops the API, every proxy listener and every connection. */
  close(): Promise<void>;
}

export async function startEmbeddedToxiproxy(options: EmbeddedToxiproxyOptions = {}): Promise<EmbeddedToxiproxy> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8474;
  const api = new ToxiproxyApi(options.seed === undefined ? {} : { seed: options.seed });
  const server = http.createServer((req, res) => {
    void api.handle(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const urlHost = bound.address === '0.0.0.0' || bound.address === '::' ? '127.0.0.1' : bound.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${formatAddress(urlHost, bound.port)}`,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await api.stopAll();
        await stopped;
      })();
      return closing;
    },
  };
}
