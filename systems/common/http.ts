/**
 * The little HTTP layer every reference system shares: JSON bodies with a size limit, JSON
 * answers, a route table with `{param}` segments, and the course's error answers
 * (400 bad JSON, 404 unknown route, 413 too large). A handler that throws answers 500;
 * a node never crashes on input.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error ?? status));
  }
}

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Reads and parses the JSON body (400 `{error: "Invalid JSON"}`, 413 over the limit). */
  json(): Promise<unknown>;
  /** The raw body as text (same limit). */
  text(): Promise<string>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    const segments = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const part = route.parts[i]!;
        const seg = segments[i]!;
        if (part.startsWith('{') && part.endsWith('}')) {
          try {
            params[part.slice(1, -1)] = decodeURIComponent(seg);
          } catch {
            ok = false;
            break;
          }
        } else if (part !== seg) {
          ok = false;
          break;
        }
      }
      if (ok) return { handler: route.handler, params };
    }
    return undefined;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new HttpError(413, { error: `Body too large (limit ${limit} bytes)` }));
      req.resume();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, { error: `Body too large (limit ${limit} bytes)` }));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers);
  res.end(text);
}

/** An HTTP server for a router; unknown routes answer 404 `{error: "Not found"}`. */
export function createJsonServer(router: Router, options: { maxBodyBytes?: number } = {}): Server {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const found = router.match(method, url.pathname);
    if (!found) {
      req.resume();
      sendJson(res, { status: 404, body: { error: 'Not found' } });
      return;
    }
    let bodyPromise: Promise<Buffer> | undefined;
    const body = (): Promise<Buffer> => (bodyPromise ??= readBody(req, limit));
    const request: Request = {
      method,
      path: url.pathname,
      params: found.params,
      query: url.searchParams,
      headers: req.headers,
      text: async () => (await body()).toString('utf8'),
      json: async () => {
        const text = (await body()).toString('utf8');
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new HttpError(400, { error: 'Invalid JSON' });
        }
      },
    };
    Promise.resolve()
      .then(() => found.handler(request))
      .then(
        (reply) => sendJson(res, reply),
        (err: unknown) => {
          if (err instanceof HttpError) sendJson(res, { status: err.status, body: err.body });
          else sendJson(res, { status: 500, body: { error: 'Internal error', detail: String((err as Error)?.message ?? err) } });
        },
      )
      .catch(() => res.destroy());
  });
}

/** Listens on `host:port` (127.0.0.1 unless `HOST` says otherwise) and resolves when bound. */
export function listen(server: Server, port: number, host = process.env.HOST ?? '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** On SIGTERM or SIGINT: runs `cleanup`, stops the server (dropping its open connections) and exits 0. */
export function exitOnSignal(server: Server, cleanup: () => void): void {
  const stop = (): void => {
    cleanup();
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
