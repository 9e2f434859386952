/**
 * Where the embedded server must do what Shopify's Toxiproxy 2.5.0 does, measured side by side:
 * toxic updates on open connections, timeout as an idle timer, slicer's µs delays, noop,
 * request ids, /populate, listen errors, /metrics; then faultline's own API bounds. Every test
 * drives the server only through its HTTP API and TCP sockets: with TOXIPROXY_URL set the same
 * tests run against a real Toxiproxy (started with -proxy-metrics; the bounds tests skip there).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openConnection, startEchoServer, type OpenConnection, type TestServer } from './test-servers.js';
import { againstRealToxiproxy, documentedProxy, startTestToxiproxy, type TestToxiproxy } from './test-target.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));

describe(`Toxiproxy 2.5.0 behaviours (${againstRealToxiproxy ? 'TOXIPROXY_URL' : 'embedded'})`, () => {
  let target: TestToxiproxy;
  let echo: TestServer;
  const created = new Set<string>();
  const tag = randomBytes(3).toString('hex');
  let counter = 0;

  beforeAll(async () => {
    target = await startTestToxiproxy();
    echo = await startEchoServer();
  });
  afterEach(async () => {
    for (const name of created) await fetch(`${target.url}/proxies/${name}`, { method: 'DELETE' }).catch(() => undefined);
    created.clear();
  });
  afterAll(async () => {
    await echo?.close();
    await target?.close();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string; headers: Headers }> {
    const init: RequestInit = { method };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${target.url}${path}`, init);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  /** A proxy to the echo server; its name and listen port. */
  async function echoProxy(): Promise<{ name: string; port: number }> {
    const name = `f_${tag}_${++counter}`;
    created.add(name);
    const r = await call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(r.status).toBe(201);
    return { name, port: portOf(r.json.listen) };
  }

  /** Runs `body` with a fresh proxy to the echo server and a connection open through it. */
  async function withConnection(body: (p: { name: string; port: number }, conn: OpenConnection) => Promise<void>): Promise<void> {
    const p = await echoProxy();
    const conn = await openConnection(p.port);
    try {
      await body(p, conn);
    } finally {
      conn.socket.destroy();
    }
  }

  /** One byte there and back on an open connection; ms, or null when it did not come in `timeoutMs`. */
  async function roundTrip(conn: OpenConnection, timeoutMs: number): Promise<number | null> {
    const start = performance.now();
    const want = conn.received().length + 1;
    conn.socket.write('x');
    return (await conn.waitFor(want, timeoutMs)) ? performance.now() - start : null;
  }

  describe('toxic updates reach open connections', () => {
    it('latency updated from toxicity 1 to 0 stops delaying an open connection at once', () =>
      withConnection(async (p, conn) => {
        await call('POST', `/proxies/${p.name}/toxics`, { type: 'latency', name: 'lat', attributes: { latency: 600 } });
        expect(await roundTrip(conn, 3000)).toBeGreaterThanOrEqual(580);
        const up = await call('POST', `/proxies/${p.name}/toxics/lat`, { toxicity: 0 });
        expect(up.json).toMatchObject({ name: 'lat', toxicity: 0, attributes: { latency: 600 } });
        // the fastest of three (a loaded machine's hiccup is in few): a delayed one takes 600
        const times = [await roundTrip(conn, 3000), await roundTrip(conn, 3000), await roundTrip(conn, 3000)];
        expect(Math.min(...times.map((t) => t ?? Infinity))).toBeLessThan(400);
      }));

    it('a toxic added with toxicity 0 and updated to 1 applies to open connections', () =>
      withConnection(async (p, conn) => {
        await call('POST', `/proxies/${p.name}/toxics`, { type: 'latency', name: 'lat', toxicity: 0, attributes: { latency: 600 } });
        const fast = [await roundTrip(conn, 3000), await roundTrip(conn, 3000), await roundTrip(conn, 3000)];
        expect(Math.min(...fast.map((t) => t ?? Infinity))).toBeLessThan(400);
        await call('POST', `/proxies/${p.name}/toxics/lat`, { toxicity: 1 });
        expect(await roundTrip(conn, 3000)).toBeGreaterThanOrEqual(580);
      }));

    it('timeout updated from 0 to 100 closes open connections about 100 ms later', () =>
      withConnection(async (p, conn) => {
        expect(await roundTrip(conn, 2000)).not.toBeNull();
        await call('POST', `/proxies/${p.name}/toxics`, { type: 'timeout', name: 'cut', attributes: { timeout: 0 } });
        expect(await roundTrip(conn, 300)).toBeNull(); // hangs: the data is dropped
        expect(conn.endedAt()).toBeNull();
        const before = performance.now();
        await call('POST', `/proxies/${p.name}/toxics/cut`, { attributes: { timeout: 100 } });
        const endedAt = await conn.ended(3000);
        expect(endedAt).not.toBeNull();
        expect(endedAt! - before).toBeGreaterThanOrEqual(90);
        expect(endedAt! - before).toBeLessThan(1500);
      }));
  });

  it('toxics added, updated and removed during a transfer lose and reorder no byte', () =>
    withConnection(async (p, conn) => {
      const payload = randomBytes(2 << 20);
      const piece = 64 * 1024;
      const writing = (async () => {
        for (let off = 0; off < payload.length; off += piece) {
          conn.socket.write(payload.subarray(off, off + piece));
          await sleep(10);
        }
      })();
      const toxics = `/proxies/${p.name}/toxics`;
      const steps: [string, string, unknown?][] = [
        ['POST', toxics, { type: 'latency', name: 'lat', attributes: { latency: 20 } }],
        ['POST', toxics, { type: 'slicer', name: 'cut', stream: 'upstream', attributes: { average_size: 1024, size_variation: 512, delay: 0 } }],
        ['POST', `${toxics}/lat`, { attributes: { latency: 5, jitter: 5 } }],
        ['POST', toxics, { type: 'bandwidth', name: 'bw', attributes: { rate: 100_000 } }],
        ['POST', toxics, { type: 'noop', name: 'nothing', stream: 'upstream' }],
        ['DELETE', `${toxics}/cut`],
        ['POST', `${toxics}/lat`, { toxicity: 0 }],
        ['DELETE', `${toxics}/lat`],
        ['DELETE', `${toxics}/bw`],
        ['DELETE', `${toxics}/nothing`],
      ];
      for (const [method, path, body] of steps) {
        const r = await call(method, path, body);
        expect(`${method} ${path}: ${r.status} ${r.text.trim()}`).toMatch(/: 2\d\d /);
        await sleep(30);
      }
      await writing;
      expect(await conn.waitFor(payload.length, 20_000)).toBe(true);
      expect(conn.received().equals(payload)).toBe(true);
    }));

  it('timeout is an idle timer: data arriving (dropped) starts it again', () =>
    withConnection(async (p, conn) => {
      await call('POST', `/proxies/${p.name}/toxics`, { type: 'timeout', stream: 'upstream', attributes: { timeout: 600 } });
      let lastSent = performance.now();
      for (let i = 0; i < 10 && conn.endedAt() === null; i++) {
        conn.socket.write('x');
        lastSent = performance.now();
        await sleep(100);
      }
      // a byte every 100 ms for 1 s: open all along (a flat 600 ms timer would have closed it)
      expect(conn.endedAt()).toBeNull();
      const endedAt = await conn.ended(3000);
      expect(endedAt).not.toBeNull();
      expect(endedAt! - lastSent).toBeGreaterThanOrEqual(550);
      expect(conn.received().length).toBe(0);
    }));

  it('slicer honours a delay in microseconds: 64 KiB at 64+-32 B, 10 µs apart, arrives in hundreds of reads, in order', async () => {
    const p = await echoProxy();
    await call('POST', `/proxies/${p.name}/toxics`, { type: 'slicer', attributes: { average_size: 64, size_variation: 32, delay: 10 } });
    const conn = await openConnection(p.port);
    try {
      const payload = randomBytes(64 * 1024);
      conn.socket.write(payload);
      expect(await conn.waitFor(payload.length, 20_000)).toBe(true);
      expect(conn.received().equals(payload)).toBe(true);
      // Toxiproxy: ~600-800 reads; slices released in bursts would come in a few dozen
      expect(conn.reads()).toBeGreaterThanOrEqual(200);
    } finally {
      conn.socket.destroy();
    }
  });

  it('the noop toxic is a toxic like any other (attributes {}), and passes data unchanged', async () => {
    const p = await echoProxy();
    const r = await call('POST', `/proxies/${p.name}/toxics`, { type: 'noop' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ attributes: {}, name: 'noop_downstream', type: 'noop', stream: 'downstream', toxicity: 1 });
    expect((await call('GET', `/proxies/${p.name}/toxics/noop_downstream`)).json).toEqual(r.json);
    const conn = await openConnection(p.port);
    try {
      conn.socket.write('hello');
      expect(await conn.waitFor(5, 2000)).toBe(true);
      expect(conn.received().toString()).toBe('hello');
    } finally {
      conn.socket.destroy();
    }
  });

  it('every answer carries an X-Toxiproxy-Request-Id (an xid), a new one each time', async () => {
    const ids: string[] = [];
    for (const path of ['/version', '/proxies', `/proxies/nope_${tag}`]) {
      const r = await call('GET', path);
      ids.push(r.headers.get('x-toxiproxy-request-id') ?? '');
    }
    for (const id of ids) expect(id).toMatch(/^[0-9a-v]{20}$/);
    expect(new Set(ids).size).toBe(3);
  });

  describe('POST /populate', () => {
    it('creates the entries before one that cannot start; 500 with its error and the proxies made', async () => {
      const names = [1, 2, 3].map((i) => `f_${tag}_pop${i}`);
      names.forEach((n) => created.add(n));
      const r = await call('POST', '/populate', [
        { name: names[0], listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
        { name: names[1], listen: '127.0.0.1:99999', upstream: `127.0.0.1:${echo.port}` },
        { name: names[2], listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
      ]);
      expect(r.status).toBe(500);
      expect(r.json.error).toBe('listen tcp: address 99999: invalid port');
      expect(r.json.status).toBe(500);
      expect(r.json.proxies.map(documentedProxy)).toEqual([
        { name: names[0], listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/), upstream: `127.0.0.1:${echo.port}`, enabled: true, toxics: [] },
      ]);
      expect((await call('GET', `/proxies/${names[0]}`)).status).toBe(200);
      expect((await call('GET', `/proxies/${names[1]}`)).status).toBe(404);
      expect((await call('GET', `/proxies/${names[2]}`)).status).toBe(404);
    });

    it('the same name twice in one call: 201, the later entry replaces the earlier', async () => {
      const name = `f_${tag}_dup`;
      created.add(name);
      const r = await call('POST', '/populate', [
        { name, listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
        { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
      ]);
      expect(r.status).toBe(201);
      expect(r.json.proxies).toHaveLength(2);
      expect(r.json.proxies.map((p: { enabled: boolean }) => p.enabled)).toEqual([false, true]);
      const shown = await call('GET', `/proxies/${name}`);
      expect(shown.json.upstream).toBe(`127.0.0.1:${echo.port}`);
    });

    it('a missing field is refused before anything is made (400)', async () => {
      const name = `f_${tag}_first`;
      created.add(name);
      const r = await call('POST', '/populate', [{ name, listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }, { name: `f_${tag}_x` }]);
      expect(r.status).toBe(400);
      expect(r.json.error).toBe('missing required field: upstream at proxy 2');
      expect((await call('GET', `/proxies/${name}`)).status).toBe(404);
    });
  });

  it('a busy or bad listen address: 500 with the error Go gives, naming the resolved address', async () => {
    const name = `f_${tag}_busy`;
    created.add(name);
    const busy = await call('POST', '/proxies', { name, listen: `localhost:${echo.port}`, upstream: '127.0.0.1:1' });
    expect(busy.status).toBe(500);
    expect(busy.json).toEqual({ error: `listen tcp 127.0.0.1:${echo.port}: bind: address already in use`, status: 500 });
    const noPort = await call('POST', '/proxies', { name, listen: 'nonsense', upstream: '127.0.0.1:1' });
    expect(noPort.json).toEqual({ error: 'listen tcp: address nonsense: missing port in address', status: 500 });
    expect((await call('GET', `/proxies/${name}`)).status).toBe(404);
  });

  it('GET /metrics: Prometheus text with the bytes received and sent per proxy and direction', async () => {
    const p = await echoProxy();
    const listen = `127.0.0.1:${p.port}`;
    const conn = await openConnection(p.port);
    conn.socket.write('hello');
    expect(await conn.waitFor(5, 2000)).toBe(true);
    conn.socket.end();
    await conn.ended(2000);
    const value = (text: string, metric: string, direction: string): number | undefined => {
      const labels = `{direction="${direction}",listener="${listen}",proxy="${p.name}",upstream="127.0.0.1:${echo.port}"}`;
      const line = text.split('\n').find((l) => l.startsWith(`${metric}${labels} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    let text = '';
    for (let i = 0; i < 40; i++) {
      const r = await call('GET', '/metrics');
      expect(r.status).toBe(200);
      text = r.text;
      if (value(text, 'toxiproxy_proxy_sent_bytes_total', 'downstream') === 5) break;
      await sleep(50);
    }
    expect(text).toMatch(/^# TYPE toxiproxy_proxy_received_bytes_total counter$/m);
    for (const direction of ['upstream', 'downstream']) {
      expect(value(text, 'toxiproxy_proxy_received_bytes_total', direction)).toBe(5);
      expect(value(text, 'toxiproxy_proxy_sent_bytes_total', direction)).toBe(5);
    }
    expect(text).toMatch(/^process_resident_memory_bytes [\d.e+]+$/m);
  });

  it('a malformed %-escape in a path is a 400', async () => {
    const r = await call('GET', '/proxies/%zz');
    expect(r.status).toBe(400);
  });

  describe.skipIf(againstRealToxiproxy)("faultline's bounds (Toxiproxy takes these silently)", () => {
    it('durations above 2^31-1 ms are refused with 400, the limit itself is taken', async () => {
      const p = await echoProxy();
      for (const [type, attr] of [
        ['latency', 'latency'],
        ['latency', 'jitter'],
        ['timeout', 'timeout'],
        ['reset_peer', 'timeout'],
        ['slow_close', 'delay'],
      ] as const) {
        const r = await call('POST', `/proxies/${p.name}/toxics`, { type, name: `${type}_${attr}`, attributes: { [attr]: 2 ** 31 } });
        expect(r.status).toBe(400);
        expect(r.json.error).toBe(`bad request body: attribute "${attr}" of a ${type} toxic must be an integer from 0 to 2147483647, got 2147483648`);
      }
      const ok = await call('POST', `/proxies/${p.name}/toxics`, { type: 'latency', attributes: { latency: 2 ** 31 - 1 } });
      expect(ok.status).toBe(200);
      const update = await call('POST', `/proxies/${p.name}/toxics/latency_downstream`, { attributes: { jitter: 2 ** 40 } });
      expect(update.status).toBe(400);
      expect((await call('GET', `/proxies/${p.name}/toxics/latency_downstream`)).json.attributes).toEqual({ latency: 2 ** 31 - 1, jitter: 0 });
    });

    it('a body over 1 MiB is answered 413 with a JSON error (not a reset), and the server goes on', async () => {
      const r = await call('POST', '/proxies', JSON.stringify({ name: 'x'.repeat(2 << 20), upstream: '127.0.0.1:1' }));
      expect(r.status).toBe(413);
      expect(r.json).toEqual({ error: 'request body larger than 1048576 bytes (1 MiB)', status: 413 });
      expect((await call('GET', '/version')).status).toBe(200);
    });

    it('the malformed escape gets a JSON error naming the path', async () => {
      const r = await call('GET', '/proxies/%zz/toxics');
      expect(r.json).toEqual({ error: 'bad request: malformed %-escape in path "/proxies/%zz/toxics"', status: 400 });
    });
  });
});
