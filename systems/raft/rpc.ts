/** Posting a JSON RPC to a peer over a kept-alive connection, with a deadline. */
import { Agent, request } from 'node:http';

// Room for requests that hang on a dropped link (until their deadline) next to the fresh ones.
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** Resolves with the parsed JSON answer of a 2xx reply; rejects on anything else or after `timeoutMs`. */
export function postJson(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
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
    const timer = setTimeout(() => req.destroy(new Error(`${url}: no answer in ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(payload);
  });
}

export function closeConnections(): void {
  agent.destroy();
}
