/** Posting a JSON RPC to a peer over kept-alive connections, with a deadline. */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 8, noDelay: true });

/** Sets how many connections to one peer may be open at once (default 8); call at start-up. */
export function setMaxSockets(n: number): void {
  agent.maxSockets = n;
}

/** Resolves with the parsed JSON answer of a 2xx reply; rejects on anything else or after `timeoutMs`. */
export function postJson(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    let timer: NodeJS.Timeout | undefined;
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new Error(`${url}: HTTP ${status}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
          } catch {
            reject(new Error(`${url}: answer is not JSON`));
          }
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    timer = setTimeout(() => req.destroy(new Error(`${url}: no answer in ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(payload);
  });
}

/** Closes the kept-alive connections (on shutdown). */
export function closeConnections(): void {
  agent.destroy();
}
