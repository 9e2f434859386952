/** The status monitor reads the descriptor's dot paths, progress included, from a node's status answer,
 *  and watches closely after a nemesis action. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunHistory } from '../../core/history.js';
import type { SystemDescriptor } from '../descriptor.js';
import type { Runtime } from '../runtime/runtime.js';
import { HistoryWriter } from './history.js';
import { StatusMonitor } from './monitor.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-monitor-'));
let server: Server | undefined;
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  rmSync(tmp, { recursive: true, force: true });
});

describe('status monitor', () => {
  it('records role, term, leader and progress from the descriptor\'s paths, and finds the leader', async () => {
    server = createServer((_req, res) => res.end(JSON.stringify({ state: 'leader', term: 4, leaderId: 'n1', commitIndex: 17 })));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // the monitor reads only the descriptor's status section
    const system = { status: { path: '/debug', role: 'state', term: 'term', leader: 'leaderId', progress: 'commitIndex', leaderRole: 'leader' } } as unknown as SystemDescriptor;
    const runtime = { address: () => ({ host: '127.0.0.1', port }) } as unknown as Runtime;
    const file = join(tmp, 'history.jsonl');
    const history = new HistoryWriter(file);
    const monitor = new StatusMonitor(system, ['n1'], runtime, history, { intervalMs: 20 });
    monitor.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(monitor.leader()).toBe('n1');
    await monitor.stop();
    history.close();
    const samples = readRunHistory(file).filter((op) => op.process === 'monitor');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]!.value).toEqual({ role: 'leader', term: 4, leader: 'n1', progress: 17 });
  });

  it('after watch() it asks every watch interval and records a leadership shorter than the normal interval', async () => {
    // n1 is leader of term 7 only for 150 ms, starting 60 ms after the watch begins; otherwise a follower.
    let leaderFrom = Number.POSITIVE_INFINITY;
    let requests = 0;
    const watched = createServer((_req, res) => {
      requests++;
      const now = performance.now();
      const leading = now >= leaderFrom && now < leaderFrom + 150;
      res.end(JSON.stringify({ state: leading ? 'leader' : 'follower', term: 7, leaderId: leading ? 'n1' : 'n2', commitIndex: requests }));
    });
    await new Promise<void>((resolve) => watched.listen(0, '127.0.0.1', resolve));
    try {
      const port = (watched.address() as AddressInfo).port;
      const system = { status: { path: '/debug', role: 'state', term: 'term', leader: 'leaderId', progress: 'commitIndex', leaderRole: 'leader' } } as unknown as SystemDescriptor;
      const runtime = { address: () => ({ host: '127.0.0.1', port }) } as unknown as Runtime;
      const run = async (watch: boolean): Promise<{ samples: number; leaderSamples: number; requests: number }> => {
        const file = join(tmp, `history-watch-${watch}.jsonl`);
        const history = new HistoryWriter(file);
        requests = 0;
        const monitor = new StatusMonitor(system, ['n1'], runtime, history, { intervalMs: 2000, watch: { intervalMs: 5, durationMs: watch ? 600 : 0 } });
        monitor.start();
        await new Promise((resolve) => setTimeout(resolve, 50)); // the first sample, then a 2 s sleep
        leaderFrom = performance.now() + 60;
        monitor.watch();
        await new Promise((resolve) => setTimeout(resolve, 650));
        await monitor.stop();
        history.close();
        const samples = readRunHistory(file).filter((op) => op.process === 'monitor');
        return { samples: samples.length, leaderSamples: samples.filter((op) => (op.value as { role?: string } | undefined)?.role === 'leader').length, requests };
      };
      const off = await run(false);
      expect(off.leaderSamples).toBe(0);
      expect(off.requests).toBeLessThanOrEqual(2);
      const on = await run(true);
      expect(on.leaderSamples).toBeGreaterThan(0);
      // many requests while watching, but only the changes are history lines
      expect(on.requests).toBeGreaterThan(10);
      expect(on.samples).toBeLessThan(on.requests / 3);
    } finally {
      await new Promise((resolve) => watched.close(resolve));
    }
  });

  it('tells its listeners each new leader once, as soon as a node claims a higher term', async () => {
    // n1 leads term 3 until `switched`, then n2 leads term 4 (n1 a follower of it)
    let switched = false;
    const servers: Server[] = [];
    const ports = new Map<string, number>();
    for (const id of ['n1', 'n2']) {
      const s = createServer((_req, res) => {
        const leader = switched ? 'n2' : 'n1';
        res.end(JSON.stringify({ state: id === leader ? 'leader' : 'follower', term: switched ? 4 : 3, leaderId: leader }));
      });
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      servers.push(s);
      ports.set(id, (s.address() as AddressInfo).port);
    }
    try {
      const system = { status: { path: '/debug', role: 'state', term: 'term', leader: 'leaderId', leaderRole: 'leader' } } as unknown as SystemDescriptor;
      const runtime = { address: (id: string) => ({ host: '127.0.0.1', port: ports.get(id)! }) } as unknown as Runtime;
      const history = new HistoryWriter(join(tmp, 'history-leaders.jsonl'));
      const monitor = new StatusMonitor(system, ['n1', 'n2'], runtime, history, { intervalMs: 20 });
      const seen: string[] = [];
      monitor.onLeaderChange((leader) => seen.push(leader));
      monitor.start();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(seen).toEqual(['n1']);
      switched = true;
      await new Promise((resolve) => setTimeout(resolve, 150));
      await monitor.stop();
      history.close();
      expect(seen).toEqual(['n1', 'n2']);
    } finally {
      for (const s of servers) await new Promise((resolve) => s.close(resolve));
    }
  });
});
