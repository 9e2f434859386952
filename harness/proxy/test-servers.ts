/**
 * Small real servers and a TCP probe for the proxy and network tests: a TCP echo server, an HTTP
 * server, both on 127.0.0.1 and a free port, and `exchange`, which sends bytes and reports what
 * came back, when, and how the connection ended.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  port: number;
  /** Connections accepted so far. */
  accepted: () => number;
  close(): Promise<void>;
}

function track(server: net.Server): { sockets: Set<net.Socket>; count: () => number } {
  const sockets = new Set<net.Socket>();
  let n = 0;
  server.on('connection', (s: net.Socket) => {
    n++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { sockets, count: () => n };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Echoes every byte back. */
export async function startEchoServer(): Promise<TestServer> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  const t = track(server);
  const port = await listen(server);
  return { port, accepted: t.count, close: closer(server, t.sockets) };
}

/** Answers GET / with `reply` (default `hello`) and GET /big?n=N with N bytes of 'x'. */
export async function startHttpServer(reply = 'hello'): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/big') {
      res.end('x'.repeat(Number(url.searchParams.get('n') ?? '1000')));
    } else {
      res.end(reply);
    }
  });
  const t = track(server);
  const port = await listen(server);
  return { port, accepted: t.count, close: closer(server, t.sockets) };
}

export interface Exchange {
  /** The bytes received. */
  data: Buffer;
  /** ms from connect to the moment `expect` bytes had arrived (or the end). */
  ms: number;
  /** How it ended: all expected bytes came, the peer closed, a socket error, or our timeout. */
  outcome: 'complete' | 'closed' | 'error' | 'timeout';
  /** The socket error code (ECONNREFUSED, ECONNRESET...). */
  code?: string;
  /** Time to the first received chunk, ms. */
  firstByteMs?: number;
  chunks: number;
}

/**
 * Connects to 127.0.0.1:port, writes `send` (if any), and waits until `expect` bytes came back,
 * the connection ended, failed, or `timeoutMs` passed. Always destroys the socket.
 */
export function exchange(port: number, send: Buffer | string | null, expect: number, timeoutMs: number, host = '127.0.0.1'): Promise<Exchange> {
  return new Promise((resolve) => {
    const start = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let firstByteMs: number | undefined;
    let done = false;
    const socket = net.connect({ host, port });
    const finish = (outcome: Exchange['outcome'], code?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const result: Exchange = { data: Buffer.concat(chunks), ms: performance.now() - start, outcome, chunks: chunks.length };
      if (code !== undefined) result.code = code;
      if (firstByteMs !== undefined) result.firstByteMs = firstByteMs;
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => {
      if (send !== null) socket.write(send);
    });
    socket.on('data', (c: Buffer) => {
      firstByteMs ??= performance.now() - start;
      chunks.push(c);
      size += c.length;
      if (size >= expect && expect > 0) finish('complete');
    });
    socket.on('end', () => finish(size >= expect && expect > 0 ? 'complete' : 'closed'));
    socket.on('close', () => finish(size >= expect && expect > 0 ? 'complete' : 'closed'));
    socket.on('error', (err: NodeJS.ErrnoException) => finish('error', err.code));
  });
}

/** An HTTP GET through 127.0.0.1:port with a client timeout; never throws. */
export async function httpGet(
  port: number,
  path: string,
  timeoutMs: number,
  agent?: http.Agent,
): Promise<{ status?: number; body?: string; ms: number; error?: string }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: agent ?? false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString(), ms: performance.now() - start }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: performance.now() - start }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: performance.now() - start }));
  });
}

/** An open connection for tests that act on it over time: what came, and when it ended. */
export interface OpenConnection {
  socket: net.Socket;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves when `n` bytes in all have come (true), or false after `timeoutMs`; never throws. */
  waitFor(n: number, timeoutMs: number): Promise<boolean>;
  /** performance.now() when the peer closed or the socket failed; null while open. */
  endedAt(): number | null;
  /** Resolves with endedAt when the connection ends, or null after `timeoutMs`. */
  ended(timeoutMs: number): Promise<number | null>;
  /** Number of 'data' events (reads) so far. */
  reads(): number;
}

export async function openConnection(port: number, host = '127.0.0.1'): Promise<OpenConnection> {
  const socket = net.connect({ host, port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let size = 0;
  let reads = 0;
  let endedAt: number | null = null;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    size += c.length;
    reads++;
    wake();
  });
  const end = (): void => {
    endedAt ??= performance.now();
    wake();
  };
  socket.on('end', end);
  socket.on('close', end);
  socket.on('error', end);
  const until = <T>(done: () => T | undefined, timeoutMs: number, fallback: T): Promise<T> =>
    new Promise((resolve) => {
      const check = (): void => {
        const v = done();
        if (v === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        resolve(fallback);
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    socket,
    received: () => Buffer.concat(chunks),
    waitFor: (n, timeoutMs) => until(() => (size >= n ? true : endedAt !== null ? false : undefined), timeoutMs, false),
    endedAt: () => endedAt,
    ended: (timeoutMs) => until<number | null>(() => endedAt ?? undefined, timeoutMs, null),
    reads: () => reads,
  };
}
