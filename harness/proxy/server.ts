/**
 * faultline's embedded Toxiproxy-compatible server: the Toxiproxy v2 HTTP API and TCP proxies
 * with its toxics, in-process. Used when no TOXIPROXY_URL is given, and by `faultline proxy`.
 */
export interface EmbeddedToxiproxyOptions {
  /** API host (default 127.0.0.1). */
  host?: string;
  /** API port (default 8474; 0 = a free port). */
  port?: number;
}

export interface EmbeddedToxiproxy {
  /** http://host:port of the API. */
  url: string;
  /** Stops the API, every proxy listener and every connection. */
  close(): Promise<void>;
}

export async function startEmbeddedToxiproxy(options: EmbeddedToxiproxyOptions = {}): Promise<EmbeddedToxiproxy> {
  void options;
  throw new Error('startEmbeddedToxiproxy: not implemented yet');
}
