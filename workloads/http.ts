/**
 * The HTTP layer the workload clients share: JSON requests over a keep-alive agent, with the
 * one distinction a history needs: did the request possibly reach the node? An error before the
 * connection was made (refused, unreachable, timed out while connecting) means it certainly did
 * not take effect (`fail`); anything after (reset, timeout waiting for the answer) is unknown
 * (`info`).
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';

export type HttpResult =
  | { kind: 'response'; status: number; body: unknown }
  | {
      kind: 'error';
      /** True when the request may have reached the node (the outcome is unknown). */
      sent: boolean;
      timeout: boolean;
      error: string;
    };

export interface HttpRequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** JSON-encoded when given. */
  body?: unknown;
  signal: AbortSignal;
  timeoutMs: number;
}

/** Connection errors raised before a single byte of the request left this process. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** One logical client's HTTP connections (Jepsen: a client owns its connection). */
export class HttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  request(url: string, options: HttpRequestOptions): Promise<HttpResult> {
    return new Promise<HttpResult>((resolve) => {
      let settled = false;
      let connected = false;
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const finish = (result: HttpResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const giveUp = (why: string): void => {
        finish({ kind: 'error', sent: connected, timeout: true, error: why });
        req.destroy();
      };
      const onAbort = (): void => giveUp('aborted');
      const timer = setTimeout(() => giveUp(`timeout after ${options.timeoutMs} ms`), options.timeoutMs);

      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      const req = httpRequest(url, { method: options.method, headers, agent: this.agent });
      req.on('socket', (socket) => {
        // A reused keep-alive socket is already connected.
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => finish({ kind: 'error', sent: true, timeout: false, error: err.message }));
        res.on('aborted', () => finish({ kind: 'error', sent: true, timeout: false, error: 'response aborted' }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = undefined;
          if (text.length > 0) {
            try {
              body = JSON.parse(text) as unknown;
            } catch {
              body = text;
            }
          }
          finish({ kind: 'response', status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        const sent = connected && !NOT_SENT_CODES.has(code);
        finish({ kind: 'error', sent, timeout: false, error: code ? `${code}: ${err.message}` : err.message });
      });
      if (options.signal.aborted) {
        onAbort();
        return;
      }
      options.signal.addEventListener('abort', onAbort, { once: true });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A short description of an answer, for `error` fields. */
export function describeAnswer(status: number, body: unknown): string {
  if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    return `HTTP ${status}: ${(body as { error: string }).error}`;
  }
  return `HTTP ${status}`;
}
