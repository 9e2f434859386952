import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import type { NodeEndpoint, OpCall, WorkloadClient } from '../../core/workload.js';
import { register } from './index.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function fakeNode(id: string, handler: Handler): Promise<NodeEndpoint> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.closeIdleConnections?.();
  cleanup.push(() => server.closeAllConnections());
  return { id, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const never = new AbortController().signal;

async function client(options: unknown, nodes: NodeEndpoint[], process: number, api?: string): Promise<WorkloadClient> {
  const c = await register.client(register.options.parse(options), { nodes, process, timeoutMs: 1000, random: new Random(1), api });
  cleanup.push(() => c.close());
  return c;
}

describe('register generator', () => {
  it('is deterministic for a seed and gives every write a unique value', () => {
    const opts = register.options.parse({ keys: 2, weights: { read: 1, write: 3, delete: 1 } });
    const run = (seed: number): OpCall[] => {
      const gen = register.generator(opts, new Random(seed));
      const r = new Random(seed).fork('clients');
      return Array.from({ length: 200 }, (_, i) => gen.next(i % 4, r));
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    const writes = a.filter((o) => o.f === 'write').map((o) => o.value);
    expect(writes.length).toBeGreaterThan(80);
    expect(new Set(writes).size).toBe(writes.length);
    expect(writes.every((v) => Number.isInteger(v))).toBe(true);
    expect(new Set(a.map((o) => o.key))).toEqual(new Set(['k1', 'k2']));
    expect(new Set(a.map((o) => o.f))).toEqual(new Set(['read', 'write', 'delete']));
  });

  it('honours zero weights and reads every key on every node in the final phase', () => {
    const opts = register.options.parse({ keys: 3, weights: { read: 0, write: 1, delete: 0 } });
    const gen = register.generator(opts, new Random(1));
    const r = new Random(3);
    for (let i = 0; i < 50; i++) expect(gen.next(0, r).f).toBe('write');
    expect(gen.final(2)).toEqual([]);
    expect(gen.finalOnEachNode!('n2')).toEqual([
      { f: 'read', key: 'k1', node: 'n2' },
      { f: 'read', key: 'k2', node: 'n2' },
      { f: 'read', key: 'k3', node: 'n2' },
    ]);
    expect(register.generator(register.options.parse({ finalReads: false }), new Random(1)).finalOnEachNode!('n1')).toEqual([]);
  });

  it('the set mix adds each element once, a key of its own, and reads every element back on every node', () => {
    const opts = register.options.parse({ keys: 1, weights: { read: 1, write: 1, delete: 0, add: 2 } });
    const gen = register.generator(opts, new Random(1));
    const r = new Random(5);
    const ops = Array.from({ length: 200 }, (_, i) => gen.next(i % 3, r));
    const adds = ops.filter((o) => o.f === 'add');
    expect(adds.length).toBeGreaterThan(70);
    expect(adds.map((o) => o.key)).toEqual(adds.map((_, i) => `e${i + 1}`));
    expect(adds.every((o) => o.value === Number(o.key!.slice(1)))).toBe(true);
    const final = gen.finalOnEachNode!('node-3');
    expect(final.map((o) => o.key)).toEqual(['k1', ...adds.map((o) => o.key)]);
    expect(final.every((o) => o.f === 'read' && o.node === 'node-3')).toBe(true);
  });

  it('hot keys take their share of the ops; without them the keys are drawn evenly', () => {
    const count = (options: unknown): number => {
      const g = register.generator(register.options.parse(options), new Random(1));
      const random = new Random(7);
      let k1 = 0;
      for (let i = 0; i < 2000; i++) if (g.next(0, random).key === 'k1') k1++;
      return k1 / 2000;
    };
    expect(count({ keys: 10, hot: { keys: 1, share: 0.8 } })).toBeGreaterThan(0.75);
    expect(count({ keys: 10 })).toBeLessThan(0.15);
  });

  it('after a write answered by another leader, every process reads the keys written last, then goes on', () => {
    const g = register.generator(register.options.parse({ keys: 50, readsAfterLeaderChange: 2, weights: { read: 0, write: 1, delete: 0 } }), new Random(1));
    const random = new Random(3);
    g.update!(0, { f: 'write', key: 'k7', value: 1 }, { type: 'ok', node: 'n1' });
    expect(g.next(1, random).f).toBe('write'); // no change yet
    g.update!(0, { f: 'write', key: 'k9', value: 2 }, { type: 'ok', node: 'n1' });
    g.update!(0, { f: 'read', key: 'k3' }, { type: 'ok', node: 'n2' }); // a read says nothing of the leader
    expect(g.next(1, random).f).toBe('write');
    g.update!(0, { f: 'write', key: 'k9', value: 3 }, { type: 'ok', node: 'n2' });
    // the deposed-leader probe first: a write at the new leader (n2)
    const probe = g.next(3, random);
    expect(probe).toMatchObject({ f: 'write', startAt: 'n2' });
    for (const p of [1, 2]) {
      const reads = [g.next(p, random), g.next(p, random)];
      expect(reads.map((r) => r.f)).toEqual(['read', 'read']);
      for (const r of reads) expect(['k7', 'k9']).toContain(r.key);
      // each process's first read goes to the new leader first
      expect(reads.map((r) => r.startAt)).toEqual(['n2', undefined]);
      expect(g.next(p, random).f).toBe('write');
    }
  });

  it('a leader change the status monitor saw owes reads before any write is answered by the new leader', () => {
    const g = register.generator(register.options.parse({ keys: 50, readsAfterLeaderChange: 3, weights: { read: 0, write: 1, delete: 0 } }), new Random(1));
    const random = new Random(3);
    g.leaderChanged!('n1'); // the first leader seen is no change
    expect(g.next(1, random).f).toBe('write');
    g.update!(0, { f: 'write', key: 'k7', value: 1 }, { type: 'ok', node: 'n1' });
    g.leaderChanged!('n3');
    const probe = g.next(4, random);
    expect(probe).toMatchObject({ f: 'write', startAt: 'n3' });
    const reads = [g.next(1, random), g.next(1, random), g.next(1, random)];
    expect(reads.map((r) => [r.f, r.key, r.startAt])).toEqual([
      ['read', 'k7', 'n3'],
      ['read', 'k7', undefined],
      ['read', 'k7', undefined],
    ]);
    expect(g.next(1, random).f).toBe('write');
    expect(g.next(2, random)).toEqual({ f: 'read', key: 'k7', startAt: 'n3' });
    // a write the new leader answers afterwards is the same leader: no second burst
    g.update!(0, { f: 'write', key: 'k7', value: 99 }, { type: 'ok', node: 'n3' });
    expect(g.next(1, random).f).toBe('write');
    // without readsAfterLeaderChange the monitor's news changes nothing
    const plain = register.generator(register.options.parse({ keys: 50, weights: { read: 0, write: 1, delete: 0 } }), new Random(1));
    plain.leaderChanged!('n1');
    plain.leaderChanged!('n2');
    expect(plain.next(1, random).f).toBe('write');
  });

  it('probes the deposed leader: a read of the probe write\'s key there as soon as the new leader acknowledged it', () => {
    const options = register.options.parse({ keys: 50, readsAfterLeaderChange: 1, weights: { read: 0, write: 1, delete: 0 } });
    const g = register.generator(options, new Random(1));
    const random = new Random(3);
    g.leaderChanged!('n1');
    expect(g.urgent!()).toBe(false);
    g.leaderChanged!('n2');
    expect(g.urgent!()).toBe(true); // the harness starts the probe's ops without waiting for a rate slot
    const write = g.next(5, random);
    expect(write).toMatchObject({ f: 'write', startAt: 'n2' });
    expect(g.urgent!()).toBe(false);
    // until the write is acknowledged nobody reads at the deposed leader
    const waiting = g.next(6, random);
    expect(waiting).toMatchObject({ f: 'read', startAt: 'n2' });
    g.update!(5, write, { type: 'ok', node: 'n2' });
    expect(g.urgent!()).toBe(true);
    // the next process to ask, whichever it is, reads the probe's key at the deposed leader, once
    expect(g.next(6, random)).toEqual({ f: 'read', key: write.key, startAt: 'n1' });
    expect(g.next(7, random)).toMatchObject({ f: 'read', startAt: 'n2' });
    expect(g.next(7, random).f).toBe('write');
    // a probe write that failed or is unknown owes no read at the deposed leader
    g.leaderChanged!('n3');
    const lost = g.next(5, random);
    expect(lost).toMatchObject({ f: 'write', startAt: 'n3' });
    g.update!(5, lost, { type: 'info', node: 'n3', error: 'timeout' });
    const after = [g.next(8, random), g.next(8, random)];
    expect(after.map((c) => c.startAt)).toEqual(['n3', undefined]);
    expect(after[1]!.f).toBe('write');
  });

  it('refuses bad options with the field named', () => {
    const r = register.options.safeParse({ keys: 0, readLevel: 'linear' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['keys', 'readLevel']));
    expect(register.options.safeParse({ weights: { read: 0, write: 0, delete: 0 } }).success).toBe(false);
  });
});

describe('register client against a fake store', () => {
  async function storeCluster(): Promise<{ nodes: NodeEndpoint[]; data: Map<string, unknown>; log: string[] }> {
    const data = new Map<string, unknown>();
    const log: string[] = [];
    const nodes: NodeEndpoint[] = [];
    for (const id of ['node-1', 'node-2', 'node-3']) {
      nodes.push(
        await fakeNode(id, (req, body, res) => {
          const url = new URL(req.url ?? '/', 'http://x');
          log.push(`${id} ${req.method} ${url.pathname}${url.search}`);
          const key = decodeURIComponent(url.pathname.replace('/key/', ''));
          if (req.method === 'GET') {
            if (!data.has(key)) return json(res, 404, { error: 'Key not found', key });
            return json(res, 200, { key, value: data.get(key), nodeRole: 'follower', consistency: url.searchParams.get('consistency') });
          }
          if (id !== 'node-2') return json(res, 503, { error: 'Not the leader', currentRole: 'follower', leaderId: 'node-2' });
          if (req.method === 'PUT') {
            data.set(key, JSON.parse(body));
            return json(res, 200, { success: true, key, value: JSON.parse(body), leaderId: 'node-2', version: `3.${data.size + 40}` });
          }
          if (!data.delete(key)) return json(res, 404, { error: 'Key not found', key });
          return json(res, 200, { success: true, key, leaderId: 'node-2' });
        }),
      );
    }
    return { nodes, data, log };
  }

  it('writes through the leader hint, reads at its home node with its read level', async () => {
    const { nodes, data, log } = await storeCluster();
    const c = await client({ readLevel: 'strong' }, nodes, 0, 'store');
    expect(await c.invoke({ f: 'write', key: 'k1', value: 5 }, never)).toEqual({ type: 'ok', node: 'node-2', value: 5 });
    expect(data.get('k1')).toBe(5);
    expect(log.slice(0, 2)).toEqual(['node-1 PUT /key/k1', 'node-2 PUT /key/k1']);
    expect(await c.invoke({ f: 'read', key: 'k1' }, never)).toEqual({ type: 'ok', node: 'node-1', value: 5 });
    expect(log.at(-1)).toBe('node-1 GET /key/k1?consistency=strong');
    expect(await c.invoke({ f: 'read', key: 'k9' }, never)).toEqual({ type: 'ok', node: 'node-1', value: null });
    expect(await c.invoke({ f: 'delete', key: 'k1' }, never)).toMatchObject({ type: 'ok', node: 'node-2' });
    // a 404 on a delete: that node deleted nothing (its view may be stale), so the delete did not happen
    expect(await c.invoke({ f: 'delete', key: 'k1' }, never)).toMatchObject({ type: 'fail', error: 'HTTP 404: Key not found' });
  });

  it('an op for one node goes there: a read there is node-local (eventual); an add is a write of its element', async () => {
    const { nodes, data, log } = await storeCluster();
    const c = await client({ readLevel: 'strong' }, nodes, 0, 'store');
    expect(await c.invoke({ f: 'add', key: 'e1', value: 1 }, never)).toEqual({ type: 'ok', node: 'node-2', value: 1 });
    expect(data.get('e1')).toBe(1);
    expect(await c.invoke({ f: 'read', key: 'e1', node: 'node-3' }, never)).toEqual({ type: 'ok', node: 'node-3', value: 1 });
    expect(log.at(-1)).toBe('node-3 GET /key/e1?consistency=eventual');
    expect(await c.invoke({ f: 'read', key: 'e1', node: 'node-9' }, never)).toMatchObject({ type: 'fail', error: 'register: no node "node-9"' });
  });

  it('randomNode sends that share of ops first to a node drawn at random, which redirects to the leader', async () => {
    const { nodes, log } = await storeCluster();
    const c = await client({ randomNode: 1 }, nodes, 0, 'store');
    for (let i = 0; i < 12; i++) await c.invoke({ f: 'read', key: 'k1' }, never);
    expect(new Set(log.map((l) => l.split(' ')[0])).size).toBe(3);
    const home = await client({}, nodes, 0, 'store');
    log.length = 0;
    for (let i = 0; i < 6; i++) await home.invoke({ f: 'read', key: 'k1' }, never);
    expect(new Set(log.map((l) => l.split(' ')[0]))).toEqual(new Set(['node-1']));
  });

  it('startAt sends an op first to that node and follows its redirect; the read keeps the session\'s level', async () => {
    const { nodes, log } = await storeCluster();
    const c = await client({ readLevel: 'strong' }, nodes, 0, 'store');
    expect(await c.invoke({ f: 'write', key: 'k1', value: 4, startAt: 'node-3' }, never)).toEqual({ type: 'ok', node: 'node-2', value: 4 });
    expect(log).toEqual(['node-3 PUT /key/k1', 'node-2 PUT /key/k1']);
    await c.invoke({ f: 'read', key: 'k1', startAt: 'node-3' }, never);
    expect(log.at(-1)).toMatch(/^node-3 GET \/key\/k1\?consistency=strong/);
  });

  it('clients share the leader they last saw; a dead cached leader is forgotten', async () => {
    const { nodes, log } = await storeCluster();
    const a = await client({}, nodes, 0, 'store');
    await a.invoke({ f: 'write', key: 'k1', value: 1 }, never);
    const b = await client({}, nodes, 2, 'store');
    log.length = 0;
    await b.invoke({ f: 'write', key: 'k1', value: 2 }, never);
    expect(log).toEqual(['node-2 PUT /key/k1']); // straight to the leader
    await b.invoke({ f: 'read', key: 'k1' }, never);
    expect(log.at(-1)).toBe('node-3 GET /key/k1?consistency=eventual'); // store reads stay home
    const c = await client({ leaderCache: false }, nodes, 2, 'store');
    log.length = 0;
    await c.invoke({ f: 'delete', key: 'k1' }, never);
    expect(log).toEqual(['node-3 DELETE /key/k1', 'node-2 DELETE /key/k1']);
  });

  it('after a node reset a connection, ops to it fail unsent for suspectMs', async () => {
    let hits = 0;
    const nodes = [await fakeNode('node-1', (req) => (hits++, req.socket.destroy()))];
    const c = await client({ suspectMs: 300 }, nodes, 0, 'store');
    expect(await c.invoke({ f: 'write', key: 'k', value: 1 }, never)).toMatchObject({ type: 'info' });
    const second = await c.invoke({ f: 'write', key: 'k', value: 2 }, never);
    expect(second).toMatchObject({ type: 'fail', error: expect.stringMatching(/^not sent/) });
    expect(hits).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    expect(await c.invoke({ f: 'write', key: 'k', value: 3 }, never)).toMatchObject({ type: 'info' });
    expect(hits).toBe(2);
  });

  it('passes its last write version on read_your_writes reads', async () => {
    const { nodes, log } = await storeCluster();
    const c = await client({ readLevel: 'read_your_writes' }, nodes, 2, 'store');
    await c.invoke({ f: 'read', key: 'k2' }, never);
    expect(log.at(-1)).toBe('node-3 GET /key/k2?consistency=read_your_writes');
    await c.invoke({ f: 'write', key: 'k2', value: 9 }, never);
    await c.invoke({ f: 'write', key: 'k3', value: 10 }, never);
    await c.invoke({ f: 'read', key: 'k2' }, never);
    expect(log.at(-1)).toBe('node-3 GET /key/k2?consistency=read_your_writes&after=3.42');
  });

  it('a write without its quorum is info, or ok when unconfirmedWrites is ok', async () => {
    const nodes = [await fakeNode('node-1', (_q, body, res) => json(res, 200, { success: true, value: JSON.parse(body), achievedQuorum: false, acks: 0 }))];
    const c = await client({}, nodes, 0, 'store');
    expect(await c.invoke({ f: 'write', key: 'k1', value: 1 }, never)).toMatchObject({ type: 'info', error: expect.stringMatching(/quorum/) });
    const course = await client({ unconfirmedWrites: 'ok' }, nodes, 0, 'store');
    expect(await course.invoke({ f: 'write', key: 'k1', value: 2 }, never)).toMatchObject({ type: 'ok', value: 2 });
  });

  it('a not-leader answer without a leader is a definite failure', async () => {
    const nodes = [await fakeNode('node-1', (_q, _b, res) => json(res, 503, { error: 'Not the leader', currentRole: 'candidate', leaderId: null }))];
    const c = await client({}, nodes, 0, 'store');
    const out = await c.invoke({ f: 'write', key: 'k1', value: 1 }, never);
    expect(out.type).toBe('fail');
    expect(out.error).toMatch(/Not the leader/);
  });

  it('redirect loops end in fail after maxRedirects', async () => {
    const hops: string[] = [];
    const nodes: NodeEndpoint[] = [];
    for (const [id, other] of [['node-1', 'node-2'], ['node-2', 'node-1']] as const) {
      nodes.push(await fakeNode(id, (_q, _b, res) => (hops.push(id), json(res, 503, { error: 'Not the leader', leaderId: other }))));
    }
    const c = await client({ maxRedirects: 3 }, nodes, 0, 'store');
    const out = await c.invoke({ f: 'delete', key: 'k1' }, never);
    expect(out.type).toBe('fail');
    expect(hops).toEqual(['node-1', 'node-2', 'node-1', 'node-2']);
  });

  it('a write that times out is info, a 500 on a write is info, a 500 on a read is fail', async () => {
    const nodes = [
      await fakeNode('node-1', (req, _b, res) => {
        if (req.method === 'PUT' && req.url === '/key/slow') return; // never answers
        json(res, 500, { error: 'boom' });
      }),
    ];
    const c = await client({}, nodes, 0, 'store');
    expect(await c.invoke({ f: 'write', key: 'slow', value: 1 }, never)).toMatchObject({ type: 'info', node: 'node-1' });
    expect(await c.invoke({ f: 'write', key: 'k', value: 2 }, never)).toMatchObject({ type: 'info', error: 'HTTP 500: boom' });
    expect(await c.invoke({ f: 'read', key: 'k' }, never)).toMatchObject({ type: 'fail' });
  });

  it('a read that gets no answer is fail (reads change nothing), or info when asked', async () => {
    const nodes = [await fakeNode('node-1', () => undefined /* never answers */)];
    const c = await client({}, nodes, 0, 'store');
    // it gives up before the harness's own timeout (1000 ms here)
    expect(await c.invoke({ f: 'read', key: 'k' }, never)).toMatchObject({ type: 'fail', node: 'node-1', error: 'timeout after 900 ms' });
    const strict = await client({ readUnknownAs: 'info' }, nodes, 0, 'store');
    expect(await strict.invoke({ f: 'read', key: 'k' }, never)).toMatchObject({ type: 'info' });
  });
});

describe('register client against a fake raft', () => {
  it('follows "Please redirect to" and answers the value read', async () => {
    const state = new Map<string, unknown>();
    const nodes: NodeEndpoint[] = [];
    for (const id of ['node1', 'node2', 'node3']) {
      nodes.push(
        await fakeNode(id, (req, body, res) => {
          if (id !== 'node3') return json(res, 500, { error: 'Not a leader. Please redirect to node3:3000' });
          const url = new URL(req.url ?? '/', 'http://x');
          if (req.method === 'POST') {
            const { key, value } = JSON.parse(body) as { key: string; value: unknown };
            state.set(key, value);
            return json(res, 200, { key, value });
          }
          const key = url.pathname.slice('/kv/'.length);
          if (req.method === 'DELETE') {
            state.delete(key);
            return json(res, 200, { key, deleted: true });
          }
          return json(res, 200, state.has(key) ? { key, value: state.get(key) } : { key });
        }),
      );
    }
    const c = await client({}, nodes, 0, 'raft');
    expect(await c.invoke({ f: 'write', key: 'a', value: 3 }, never)).toEqual({ type: 'ok', node: 'node3', value: 3 });
    expect(await c.invoke({ f: 'read', key: 'a' }, never)).toEqual({ type: 'ok', node: 'node3', value: 3 });
    // Raft has no node-local read: a read sent to a follower is forwarded to the leader it names
    expect(await c.invoke({ f: 'read', key: 'a', node: 'node2' }, never)).toEqual({ type: 'ok', node: 'node3', value: 3 });
    expect(await c.invoke({ f: 'delete', key: 'a' }, never)).toMatchObject({ type: 'ok', node: 'node3' });
    expect(await c.invoke({ f: 'read', key: 'a' }, never)).toEqual({ type: 'ok', node: 'node3', value: null });
  });

  it('"No leader known" is a definite failure; a hint in a leaderId field wins', async () => {
    const nodes = [
      await fakeNode('node1', (_q, _b, res) => json(res, 500, { error: 'No leader known. Please retry.' })),
      await fakeNode('node2', (_q, _b, res) => json(res, 500, { error: 'Not a leader. Please redirect to somewhere', leaderId: 'node1' })),
    ];
    const c0 = await client({}, nodes, 0, 'raft');
    expect(await c0.invoke({ f: 'write', key: 'a', value: 1 }, never)).toMatchObject({ type: 'fail', node: 'node1' });
    const c1 = await client({}, nodes, 1, 'raft');
    const out = await c1.invoke({ f: 'write', key: 'a', value: 1 }, never);
    expect(out).toMatchObject({ type: 'fail', node: 'node1' });
    expect(out.error).toContain('node2 -> node1');
  });

  it('refuses to start without knowing the api', async () => {
    await expect(register.client(register.options.parse({}), { nodes: [], process: 0, timeoutMs: 100, random: new Random(1) })).rejects.toThrow(/api/);
  });
});
