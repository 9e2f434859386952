/**
 * The Toxiproxy a proxy or network test drives: Shopify's server at TOXIPROXY_URL when that is
 * set (it must share this host's network: the tests' upstreams listen on 127.0.0.1), else the
 * embedded one, started for the test file. Tests reach it only through its HTTP API and TCP
 * sockets, so the same test passes against either.
 */
import { startEmbeddedToxiproxy } from './server.js';

export interface TestToxiproxy {
  /** `embedded` or `TOXIPROXY_URL`. */
  name: string;
  /** True for a real Toxiproxy (TOXIPROXY_URL): tests of faultline's own additions skip. */
  external: boolean;
  url: string;
  close(): Promise<void>;
}

export async function startTestToxiproxy(options: { seed?: number } = {}): Promise<TestToxiproxy> {
  const external = process.env.TOXIPROXY_URL;
  if (external) return { name: 'TOXIPROXY_URL', external: true, url: external.replace(/\/$/, ''), close: async () => undefined };
  const server = await startEmbeddedToxiproxy({ port: 0, ...options });
  return { name: 'embedded', external: false, url: server.url, close: () => server.close() };
}

/** True when the tests run against a real Toxiproxy (TOXIPROXY_URL). */
export const againstRealToxiproxy = Boolean(process.env.TOXIPROXY_URL);

/** The fields Toxiproxy documents for a proxy (a real 2.5.0 adds `"Logger": {}`). */
export function documentedProxy(p: unknown): unknown {
  if (p === null || typeof p !== 'object') return p;
  const { name, listen, upstream, enabled, toxics } = p as Record<string, unknown>;
  return { name, listen, upstream, enabled, toxics };
}
