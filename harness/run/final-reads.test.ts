/**
 * The final reads on every node and the set, end to end through the harness's clients, against
 * an in-process store of three nodes that share one map, except that node-3 is made to diverge on
 * purpose: it lost one element and kept an old value of k1. Nothing in the main phase reads there.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConsistencyHistory } from '../../checkers/consistency/index.js';
import { checkSetHistory } from '../../checkers/set/index.js';
import { register } from '../../workloads/register/index.js';
import { Random } from '../../core/random.js';
import type { NodeEndpoint, Workload } from '../../core/workload.js';
import { readRunHistory } from '../../core/history.js';
import { Clients } from './clients.js';
import { HistoryWriter } from './history.js';

const servers: Server[] = [];
const dir = mkdtempSync(join(tmpdir(), 'faultline-final-reads-'));
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

/** node-1 leads; every node reads the shared map, but `diverged` answers for node-3 first. */
async function storeCluster(diverged: Map<string, unknown>): Promise<NodeEndpoint[]> {
  const data = new Map<string, unknown>();
  const nodes: NodeEndpoint[] = [];
  for (const id of ['node-1', 'node-2', 'node-3']) {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const key = decodeURIComponent(url.pathname.replace('/key/', ''));
        const send = (status: number, answer: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        if (req.method === 'GET') {
          const value = id === 'node-3' && diverged.has(key) ? diverged.get(key) : data.get(key);
          return value === undefined || value === null ? send(404, { error: 'Key not found', key }) : send(200, { key, value });
        }
        if (id !== 'node-1') return send(503, { error: 'Not the leader', leaderId: 'node-1' });
        const value: unknown = JSON.parse(body);
        // node-3 keeps the first value of k1 it saw; every later write passes it by
        if (key === 'k1' && !diverged.has('k1')) diverged.set('k1', value);
        data.set(key, value);
        return send(200, { success: true, key, value, achievedQuorum: true });
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    nodes.push({ id, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }
  return nodes;
}

describe('final reads on every node and the set', () => {
  it('a replica that lost an element and kept an old value shows: lost on node-3, a stale final read on node-3', async () => {
    const diverged = new Map<string, unknown>([['e2', null]]); // node-3 lost element 2
    const nodes = await storeCluster(diverged);
    const options = register.options.parse({ keys: 1, readLevel: 'strong', weights: { read: 0, write: 1, delete: 0, add: 1 } });
    const random = new Random(11);
    const history = new HistoryWriter(join(dir, 'history.jsonl'));
    const clients = new Clients({
      workload: register as Workload<unknown>,
      workloadOptions: options,
      generator: register.generator(options, random.fork('generator')),
      nodes,
      concurrency: 2,
      rate: 0,
      timeoutMs: 1000,
      random,
      history,
      api: 'store',
    });
    await clients.open();
    setTimeout(() => clients.stop(), 300);
    await clients.runMain();
    clients.resume();
    await clients.runFinal(1000);
    await clients.close();
    history.close();
    const ops = readRunHistory(join(dir, 'history.jsonl'));

    // Every node was read, each key and element on it, node-locally.
    const adds = ops.filter((o) => o.f === 'add' && o.type === 'ok');
    expect(adds.length).toBeGreaterThan(5);
    const finalReads = ops.filter((o) => o.f === 'read' && o.type === 'invoke');
    for (const node of ['node-1', 'node-2', 'node-3']) expect(finalReads.filter((o) => o.node === node).map((o) => o.key).sort()).toEqual(['k1', ...adds.map((o) => o.key!)].sort());

    const set = checkSetHistory(ops);
    expect(set.valid).toBe(false);
    expect(set.anomalies.map((a) => [a.kind, a.key])).toEqual([['lost', 'e2']]);
    expect(set.anomalies[0]!.explanation).toContain('reads as absent on node-3');

    // Checked against the last committed value: the old k1 (and the absent e2) on node-3 are stale.
    const consistency = checkConsistencyHistory(ops, { checks: ['stale-read'] });
    expect(consistency.anomalies.map((a) => [a.kind, a.key]).sort()).toEqual([['stale-read', 'e2'], ['stale-read', 'k1']]);
    const staleK1 = consistency.anomalies.find((a) => a.key === 'k1')!;
    expect(staleK1.ops.some((i) => ops[i]!.f === 'read' && ops[i]!.node === 'node-3')).toBe(true);
  });
});
