/**
 * The embedded server's seed option (set by the harness from the run's seed): the same seed
 * makes the same per-connection choices (which connections a toxic hits, slice sizes), so a run
 * replayed with --seed injects the same faults into the same connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { startEmbeddedToxiproxy } from './server.js';
import { exchange, startEchoServer, type TestServer } from './test-servers.js';
import { sliceOffsets } from './toxics.js';

describe('seeded toxics', () => {
  let echo: TestServer;
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo?.close();
  });

  /** Which of 16 connections, made one after the other, a toxicity-0.5 limit_data toxic of 0 bytes cut (no timing involved). */
  async function hits(seed: number): Promise<string> {
    const server = await startEmbeddedToxiproxy({ port: 0, seed });
    try {
      const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
      const proxy = (await post('/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` })) as { listen: string };
      await post('/proxies/p/toxics', { type: 'limit_data', toxicity: 0.5, attributes: { bytes: 0 } });
      const port = Number(proxy.listen.split(':')[1]);
      let pattern = '';
      for (let i = 0; i < 16; i++) pattern += (await exchange(port, 'a', 1, 5000)).outcome === 'complete' ? '.' : 'x';
      return pattern;
    } finally {
      await server.close();
    }
  }

  it('the same seed hits the same connections; another seed others', async () => {
    const [a, b, c] = await Promise.all([hits(7), hits(7), hits(8)]);
    expect(a).toBe(b);
    expect(a).toMatch(/x/);
    expect(a).toMatch(/\./);
    expect(c).not.toBe(a);
  });

  it('slice sizes come from the seeded stream', () => {
    const cuts = (seed: number): number[] => sliceOffsets(0, 4096, 64, 32, new Random(seed));
    expect(cuts(1)).toEqual(cuts(1));
    expect(cuts(1)).not.toEqual(cuts(2));
  });
});
