/**
 * The embedded Toxiproxy, driven through toxiproxy-node-client (the real client); with
 * TOXIPROXY_URL set, the same suite against Shopify's Toxiproxy instead (it must share this
 * host's network: the upstreams are test servers on 127.0.0.1).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { exchange, httpGet, startEchoServer, startHttpServer, type TestServer } from './test-servers.js';
import { documentedProxy, startTestToxiproxy, type TestToxiproxy } from './test-target.js';

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

describe(`Toxiproxy API and toxics (${process.env.TOXIPROXY_URL ? 'TOXIPROXY_URL' : 'embedded'})`, () => {
  let target: TestToxiproxy | null = null;
  let url = '';
  let toxiproxy: Toxiproxy;
  let echo: TestServer;
  let web: TestServer;
  const created = new Set<string>();
  const tag = randomBytes(3).toString('hex');
  let counter = 0;

  beforeAll(async () => {
    target = await startTestToxiproxy();
    url = target.url;
    toxiproxy = new Toxiproxy(url);
    echo = await startEchoServer();
    web = await startHttpServer();
  });

  afterEach(async () => {
    for (const name of created) await fetch(`${url}/proxies/${name}`, { method: 'DELETE' }).catch(() => undefined);
    created.clear();
  });

  afterAll(async () => {
    await echo?.close();
    await web?.close();
    await target?.close();
  });

  async function proxyTo(port: number, extra: { enabled?: boolean } = {}): Promise<Proxy> {
    const name = `t_${tag}_${++counter}`;
    created.add(name);
    return toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}`, ...extra });
  }

  async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
    const init: RequestInit = { method };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  describe('routes', () => {
    it('GET /version answers', async () => {
      const version = await toxiproxy.getVersion();
      expect(version).toMatch(/\d+\.\d+/);
    });

    it('POST /proxies creates (201), listen :0 picks a port that GET shows, GET /proxies lists it', async () => {
      const proxy = await proxyTo(echo.port);
      expect(proxy.enabled).toBe(true);
      expect(proxy.upstream).toBe(`127.0.0.1:${echo.port}`);
      expect(portOf(proxy.listen)).toBeGreaterThan(0);
      const again = await toxiproxy.get(proxy.name);
      expect(again.listen).toBe(proxy.listen);
      const all = await toxiproxy.getAll();
      expect(all[proxy.name]?.listen).toBe(proxy.listen);
      const shown = await raw('GET', `/proxies/${proxy.name}`);
      expect(shown.status).toBe(200);
      expect(documentedProxy(shown.json)).toEqual({ name: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: true, toxics: [] });
      const create = await raw('POST', '/proxies', { name: `t_${tag}_raw`, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
      created.add(`t_${tag}_raw`);
      expect(create.status).toBe(201);
    });

    it('duplicate proxy name: 409 with {error, status}; the client rejects', async () => {
      const proxy = await proxyTo(echo.port);
      await expect(toxiproxy.createProxy({ name: proxy.name, listen: '127.0.0.1:0', upstream: proxy.upstream })).rejects.toThrow(/409/);
      const r = await raw('POST', '/proxies', { name: proxy.name, listen: '127.0.0.1:0', upstream: proxy.upstream });
      expect(r.status).toBe(409);
      expect(r.json).toEqual({ error: 'proxy already exists', status: 409 });
    });

    it('unknown proxy or toxic: 404; missing fields and bad JSON: 400', async () => {
      await expect(toxiproxy.get(`nope_${tag}`)).rejects.toThrow(/404/);
      expect((await raw('GET', `/proxies/nope_${tag}`)).json).toEqual({ error: 'proxy not found', status: 404 });
      expect((await raw('DELETE', `/proxies/nope_${tag}`)).status).toBe(404);
      expect((await raw('GET', `/proxies/nope_${tag}/toxics`)).status).toBe(404);
      const proxy = await proxyTo(echo.port);
      expect((await raw('GET', `/proxies/${proxy.name}/toxics/nope`)).json).toEqual({ error: 'toxic not found', status: 404 });
      expect((await raw('DELETE', `/proxies/${proxy.name}/toxics/nope`)).status).toBe(404);
      const noName = await raw('POST', '/proxies', { upstream: '127.0.0.1:1' });
      expect(noName.status).toBe(400);
      expect(noName.json).toEqual({ error: 'missing required field: name', status: 400 });
      const noUpstream = await raw('POST', '/proxies', { name: `t_${tag}_x`, listen: '127.0.0.1:0' });
      expect(noUpstream.json).toEqual({ error: 'missing required field: upstream', status: 400 });
      const bad = await raw('POST', '/proxies', '{"name": ');
      expect(bad.status).toBe(400);
      expect((bad.json as { error: string }).error).toMatch(/^bad request body/);
    });

    it('toxics: create (default name <type>_<stream>, stream downstream, toxicity 1), list, show, update, 409, delete', async () => {
      const proxy = await proxyTo(echo.port);
      const latency = await proxy.addToxic({ type: 'latency', attributes: { latency: 10 } } as never);
      expect(latency.toJson()).toEqual({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10, jitter: 0 } });
      const created2 = await raw('POST', `/proxies/${proxy.name}/toxics`, { type: 'limit_data', stream: 'upstream', name: 'cap', toxicity: 0.5, attributes: { bytes: 100 } });
      expect(created2.status).toBe(200);
      expect(created2.json).toEqual({ attributes: { bytes: 100 }, name: 'cap', type: 'limit_data', stream: 'upstream', toxicity: 0.5 });
      const dup = await raw('POST', `/proxies/${proxy.name}/toxics`, { type: 'latency', attributes: { latency: 5 } });
      expect(dup.status).toBe(409);
      expect(dup.json).toEqual({ error: 'toxic already exists', status: 409 });
      await expect(proxy.addToxic({ type: 'latency', attributes: { latency: 1 } } as never)).rejects.toThrow(/409/);
      const list = await raw('GET', `/proxies/${proxy.name}/toxics`);
      expect((list.json as { name: string }[]).map((t) => t.name).sort()).toEqual(['cap', 'latency_downstream']);
      const shown = await proxy.getToxic<{ latency: number }>('latency_downstream');
      expect(shown.attributes.latency).toBe(10);
      const updated = await shown.update({ ...shown.toJson(), attributes: { latency: 20, jitter: 0 } } as never);
      expect(updated.attributes).toEqual({ latency: 20, jitter: 0 });
      const partial = await raw('POST', `/proxies/${proxy.name}/toxics/latency_downstream`, { attributes: { jitter: 3 } });
      expect(partial.json).toEqual({ attributes: { latency: 20, jitter: 3 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1 });
      const withToxics = (await raw('GET', `/proxies/${proxy.name}`)).json as { toxics: unknown[] };
      expect(withToxics.toxics).toHaveLength(2);
      await updated.remove();
      expect((await raw('GET', `/proxies/${proxy.name}/toxics/latency_downstream`)).status).toBe(404);
      expect((await raw('DELETE', `/proxies/${proxy.name}/toxics/cap`)).status).toBe(204);
      expect((await raw('GET', `/proxies/${proxy.name}/toxics`)).json).toEqual([]);
    });

    it('bad toxics: unknown type and bad stream are 400', async () => {
      const proxy = await proxyTo(echo.port);
      const badType = await raw('POST', `/proxies/${proxy.name}/toxics`, { type: 'nonsense', attributes: {} });
      expect(badType.json).toEqual({ error: 'invalid toxic type', status: 400 });
      const badStream = await raw('POST', `/proxies/${proxy.name}/toxics`, { type: 'latency', stream: 'sideways', attributes: {} });
      expect(badStream.json).toEqual({ error: 'stream was invalid, can be either upstream or downstream', status: 400 });
    });

    it('POST /proxies/{name} disables (connections refused fast) and enables again on the same address', async () => {
      const proxy = await proxyTo(echo.port);
      const port = portOf(proxy.listen);
      expect((await exchange(port, 'ping', 4, 2000)).data.toString()).toBe('ping');
      const held = exchange(port, null, 1, 5000); // an open connection: closed by the disable
      await new Promise((r) => setTimeout(r, 100));
      const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      expect(disabled.enabled).toBe(false);
      const heldResult = await held;
      expect(heldResult.outcome === 'closed' || heldResult.outcome === 'error').toBe(true);
      expect(heldResult.ms).toBeLessThan(2000);
      const refused = await exchange(port, 'ping', 4, 2000);
      expect(refused.outcome).toBe('error');
      expect(refused.code).toBe('ECONNREFUSED');
      expect(refused.ms).toBeLessThan(1000); // refused, not hung until the 2 s timeout
      const enabled = await disabled.update({ enabled: true, listen: disabled.listen, upstream: disabled.upstream });
      expect(enabled.enabled).toBe(true);
      expect(enabled.listen).toBe(proxy.listen);
      expect((await exchange(port, 'pong', 4, 2000)).data.toString()).toBe('pong');
    });

    it('a proxy created disabled does not listen until enabled', async () => {
      const proxy = await proxyTo(echo.port, { enabled: false });
      expect(proxy.enabled).toBe(false);
      const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
      expect(portOf(enabled.listen)).toBeGreaterThan(0);
      expect((await exchange(portOf(enabled.listen), 'abc', 3, 2000)).data.toString()).toBe('abc');
    });

    it('POST /reset re-enables every proxy and removes every toxic (204)', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.addToxic({ type: 'timeout', attributes: { timeout: 0 } } as never);
      await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      const r = await raw('POST', '/reset');
      expect(r.status).toBe(204);
      const after = await raw('GET', `/proxies/${proxy.name}`);
      expect(after.json).toMatchObject({ enabled: true, toxics: [] });
      expect((await exchange(portOf(proxy.listen), 'ok', 2, 2000)).data.toString()).toBe('ok');
    });

    it('POST /populate creates proxies (201 {proxies}) and keeps an identical one', async () => {
      const names = [`t_${tag}_pop1`, `t_${tag}_pop2`];
      names.forEach((n) => created.add(n));
      const proxies = await toxiproxy.populate(names.map((name) => ({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` })));
      expect(Object.keys(proxies).sort()).toEqual(names);
      const first = proxies[names[0]!]!;
      expect(portOf(first.listen)).toBeGreaterThan(0);
      const again = await raw('POST', '/populate', [{ name: names[0], listen: first.listen, upstream: first.upstream }]);
      expect(again.status).toBe(201);
      expect((again.json as { proxies: { listen: string }[] }).proxies[0]!.listen).toBe(first.listen);
      const bad = await raw('POST', '/populate', [{ name: `t_${tag}_pop3` }]);
      expect(bad.status).toBe(400);
      expect((bad.json as { error: string }).error).toMatch(/missing required field: upstream/);
    });

    it('DELETE /proxies/{name} (204) stops its listener', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.remove();
      expect((await raw('GET', `/proxies/${proxy.name}`)).status).toBe(404);
      const r = await exchange(portOf(proxy.listen), 'x', 1, 2000);
      expect(r.code).toBe('ECONNREFUSED');
    });
  });

  describe('toxics on real connections', () => {
    it('forwards bytes intact in both directions (1 MiB through an echo server) and HTTP', async () => {
      const proxy = await proxyTo(echo.port);
      const payload = randomBytes(1 << 20);
      const r = await exchange(portOf(proxy.listen), payload, payload.length, 10_000);
      expect(r.outcome).toBe('complete');
      expect(r.data.equals(payload)).toBe(true);
      const httpProxy = await proxyTo(web.port);
      const res = await httpGet(portOf(httpProxy.listen), '/', 2000);
      expect(res.body).toBe('hello');
    });

    it('a client that reads late still gets every byte of a bulk download intact (8 MiB, the proxy writes while the client does not read)', async () => {
      const payload = randomBytes(8 << 20);
      const source = net.createServer((s) => {
        s.on('error', () => undefined);
        s.end(payload);
      });
      await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
      try {
        const proxy = await proxyTo((source.address() as net.AddressInfo).port);
        const received = await new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const s = net.connect({ host: '127.0.0.1', port: portOf(proxy.listen) });
          s.pause(); // the kernel buffers fill: the proxy's writes to this client cannot complete at once
          setTimeout(() => s.resume(), 300);
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => resolve(Buffer.concat(chunks)));
          s.on('error', reject);
        });
        expect(received.length).toBe(payload.length);
        expect(received.equals(payload)).toBe(true);
      } finally {
        await new Promise<void>((resolve) => source.close(() => resolve()));
      }
    });

    it('latency adds a measurable delay (downstream 150 ms)', async () => {
      const proxy = await proxyTo(echo.port);
      const port = portOf(proxy.listen);
      const base = await exchange(port, 'a', 1, 2000);
      await proxy.addToxic({ type: 'latency', stream: 'downstream', attributes: { latency: 150, jitter: 0 } } as never);
      const slow = await exchange(port, 'a', 1, 3000);
      expect(slow.outcome).toBe('complete');
      expect(slow.ms).toBeGreaterThanOrEqual(145);
      expect(slow.ms).toBeLessThan(base.ms + 400);
    });

    it('latency with toxicity 0 touches no connection', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.addToxic({ type: 'latency', toxicity: 0, attributes: { latency: 1000, jitter: 0 } } as never);
      const r = await exchange(portOf(proxy.listen), 'a', 1, 3000);
      expect(r.ms).toBeLessThan(900); // a toxic in force would take 1000 ms
    });

    it('toxicity 0.5 affects some connections and spares others', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.addToxic({ type: 'latency', toxicity: 0.5, attributes: { latency: 300, jitter: 0 } } as never);
      const results = await Promise.all(Array.from({ length: 30 }, () => exchange(portOf(proxy.listen), 'a', 1, 3000)));
      const slow = results.filter((r) => r.ms >= 290).length;
      expect(slow).toBeGreaterThan(2);
      expect(slow).toBeLessThan(28);
    });

    it('timeout 0 makes a request hang (data held) on new and already open connections', async () => {
      const proxy = await proxyTo(web.port);
      const port = portOf(proxy.listen);
      const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect((await httpGet(port, '/', 2000, agent)).body).toBe('hello'); // opens a kept-alive connection
        await proxy.addToxic({ type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } } as never);
        const kept = await httpGet(port, '/', 400, agent);
        expect(kept.error).toBe('TIMEOUT');
        const fresh = await httpGet(port, '/', 400);
        expect(fresh.error).toBe('TIMEOUT');
        expect(fresh.ms).toBeGreaterThanOrEqual(390);
      } finally {
        agent.destroy();
      }
    });

    it('timeout N closes the connection after N ms; removing a timeout toxic lets new connections through', async () => {
      const proxy = await proxyTo(echo.port);
      const port = portOf(proxy.listen);
      await proxy.addToxic({ type: 'timeout', attributes: { timeout: 200 } } as never);
      const r = await exchange(port, 'abc', 3, 3000);
      expect(r.outcome === 'closed' || r.outcome === 'error').toBe(true);
      expect(r.data.length).toBe(0);
      expect(r.ms).toBeGreaterThanOrEqual(180);
      expect(r.ms).toBeLessThan(1500);
      await (await proxy.getToxic('timeout_downstream')).remove();
      expect((await exchange(port, 'abc', 3, 2000)).data.toString()).toBe('abc');
    });

    it('reset_peer resets the connection (ECONNRESET)', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.addToxic({ type: 'reset_peer', attributes: { timeout: 0 } } as never);
      const r = await exchange(portOf(proxy.listen), 'hello', 5, 3000);
      expect(r.outcome).toBe('error');
      expect(r.code).toBe('ECONNRESET');
    });

    it('limit_data passes N bytes and then cuts the connection', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.addToxic({ type: 'limit_data', attributes: { bytes: 10 } } as never);
      const r = await exchange(portOf(proxy.listen), 'abcdefghijklmnopqrstuvwxyz', 26, 3000);
      expect(r.outcome === 'closed' || r.outcome === 'error').toBe(true);
      expect(r.data.toString()).toBe('abcdefghij');
    });

    it('slicer still delivers every byte, in order', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.addToxic({ type: 'slicer', attributes: { average_size: 64, size_variation: 32, delay: 100 } } as never);
      const payload = randomBytes(32 * 1024);
      const r = await exchange(portOf(proxy.listen), payload, payload.length, 10_000);
      expect(r.outcome).toBe('complete');
      expect(r.data.equals(payload)).toBe(true);
    });

    it('bandwidth slows a transfer (100 KB/s: 50 KB takes ~0.5 s)', async () => {
      const proxy = await proxyTo(web.port);
      await proxy.addToxic({ type: 'bandwidth', attributes: { rate: 100 } } as never);
      const r = await httpGet(portOf(proxy.listen), '/big?n=50000', 5000);
      expect(r.body?.length).toBe(50_000);
      expect(r.ms).toBeGreaterThanOrEqual(400);
      expect(r.ms).toBeLessThan(2000);
    });

    it('removing a latency toxic hands on the data it held at once (no byte lost)', async () => {
      const proxy = await proxyTo(echo.port);
      await proxy.addToxic({ type: 'latency', attributes: { latency: 3000, jitter: 0 } } as never);
      const pending = exchange(portOf(proxy.listen), 'held', 4, 5000);
      await new Promise((r) => setTimeout(r, 150));
      await (await proxy.getToxic('latency_downstream')).remove();
      const r = await pending;
      expect(r.data.toString()).toBe('held');
      expect(r.ms).toBeLessThan(1500);
    });

    it('an upstream that refuses makes the proxied connection close at once', async () => {
      const dead = await startEchoServer();
      const port = dead.port;
      await dead.close();
      const proxy = await proxyTo(port);
      const r = await exchange(portOf(proxy.listen), 'x', 1, 3000);
      expect(['closed', 'error']).toContain(r.outcome);
      expect(r.ms).toBeLessThan(1000);
    });

    it('slow_close delays the close the server made', async () => {
      const proxy = await proxyTo(web.port);
      await proxy.addToxic({ type: 'slow_close', attributes: { delay: 300 } } as never);
      // HTTP/1.0-style request: the server answers and closes
      const r = await exchange(portOf(proxy.listen), 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 1 << 20, 3000);
      expect(r.outcome).toBe('closed');
      expect(r.data.toString()).toContain('hello');
      expect(r.ms).toBeGreaterThanOrEqual(280);
    });
  });
});
