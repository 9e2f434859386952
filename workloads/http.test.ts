import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../harness/runtime/ports.js';
import { HttpClient } from './http.js';

const servers: { close(): void }[] = [];
const clients: HttpClient[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  for (const c of clients.splice(0)) c.close();
});

function client(): HttpClient {
  const c = new HttpClient();
  clients.push(c);
  return c;
}

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() });
  return (server.address() as AddressInfo).port;
}

const never = new AbortController().signal;

describe('HttpClient', () => {
  it('returns status and parsed JSON body', async () => {
    const port = await listen(
      createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ echo: JSON.parse(body), method: req.method }));
        });
      }),
    );
    const r = await client().request(`http://127.0.0.1:${port}/x`, { method: 'PUT', body: 7, signal: never, timeoutMs: 2000 });
    expect(r).toEqual({ kind: 'response', status: 201, body: { echo: 7, method: 'PUT' } });
  });

  it('a refused connection was certainly not sent', async () => {
    const port = await freePort();
    const r = await client().request(`http://127.0.0.1:${port}/`, { method: 'POST', body: 1, signal: never, timeoutMs: 2000 });
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.sent).toBe(false);
      expect(r.error).toMatch(/ECONNREFUSED/);
    }
  });

  it('a timeout after the request went out may have taken effect', async () => {
    const port = await listen(createServer(() => undefined /* never answers */));
    const started = Date.now();
    const r = await client().request(`http://127.0.0.1:${port}/`, { method: 'POST', body: 1, signal: never, timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r).toMatchObject({ kind: 'error', sent: true, timeout: true });
  });

  it('a connection reset after sending is unknown', async () => {
    const port = await listen(createNetServer((socket) => socket.once('data', () => socket.destroy())));
    const r = await client().request(`http://127.0.0.1:${port}/`, { method: 'GET', signal: never, timeoutMs: 2000 });
    expect(r).toMatchObject({ kind: 'error', sent: true, timeout: false });
  });

  it('an abort signal ends the request', async () => {
    const port = await listen(createServer(() => undefined));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await client().request(`http://127.0.0.1:${port}/`, { method: 'GET', signal: ac.signal, timeoutMs: 5000 });
    expect(r).toMatchObject({ kind: 'error', sent: true, error: 'aborted' });
  });
});
