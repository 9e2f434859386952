/** The status monitor reads the descriptor's dot paths, progress included, from a node's status answer. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../core/history.js';
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
    const monitor = new StatusMonitor(system, ['n1'], runtime, history, 20);
    monitor.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(monitor.leader()).toBe('n1');
    await monitor.stop();
    history.close();
    const samples = readHistory(file).filter((op) => op.process === 'monitor');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]!.value).toEqual({ role: 'leader', term: 4, leader: 'n1', progress: 17 });
  });
});
