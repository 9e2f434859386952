import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import type { NodeEndpoint, OpCall, OpOutcome } from '../../core/workload.js';
import { queue } from './index.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const never = new AbortController().signal;

interface FakeTask {
  id: string;
  payload: unknown;
  status: 'pending' | 'processing' | 'completed';
}

/** A small course queue: one lease per dequeue; `leaseMs` puts unfinished tasks back. */
async function fakeQueue(leaseMs?: number): Promise<{ node: NodeEndpoint; tasks: FakeTask[] }> {
  const tasks: FakeTask[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const send = (status: number, b?: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(b === undefined ? undefined : JSON.stringify(b));
      };
      const stats = () => ({
        pending: tasks.filter((t) => t.status === 'pending').length,
        processing: tasks.filter((t) => t.status === 'processing').length,
        completed: tasks.filter((t) => t.status === 'completed').length,
        failed: 0,
      });
      if (req.method === 'POST' && req.url === '/task') {
        const { type, payload } = JSON.parse(body) as { type?: string; payload?: unknown };
        if (!type || payload === undefined) return send(400, { error: 'type and payload required' });
        const id = `task-${++n}`;
        tasks.push({ id, payload, status: 'pending' });
        return send(202, { taskId: id, message: 'Task enqueued', stats: stats() });
      }
      if (req.method === 'GET' && req.url === '/stats') return send(200, stats());
      if (req.method === 'GET' && req.url?.startsWith('/dequeue')) {
        const t = tasks.find((x) => x.status === 'pending');
        if (!t) return send(204);
        t.status = 'processing';
        if (leaseMs !== undefined) setTimeout(() => t.status === 'processing' && (t.status = 'pending'), leaseMs);
        return send(200, { ...t, type: 'email', retries: 0, maxRetries: 3 });
      }
      const m = /^\/complete\/(.+)$/.exec(req.url ?? '');
      if (req.method === 'POST' && m) {
        const t = tasks.find((x) => x.id === decodeURIComponent(m[1]!));
        if (!t) return send(404, { error: 'Task not found' });
        if (t.status !== 'processing') return send(409, { error: 'lease lost' });
        t.status = 'completed';
        return send(200, { success: true });
      }
      send(404, { error: 'Not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { node: { id: 'producer', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, tasks };
}

describe('queue generator', () => {
  it('splits producers and workers, completes what a worker dequeued, is deterministic', () => {
    const opts = queue.options.parse({ producers: 1, workers: 2, abandonProbability: 0.3 });
    const run = (seed: number): OpCall[] => {
      const gen = queue.generator(opts, new Random(seed));
      const r = new Random(seed);
      const ops: OpCall[] = [];
      for (let i = 0; i < 300; i++) {
        const p = i % 3;
        const call = gen.next(p, r);
        ops.push(call);
        const outcome: OpOutcome =
          call.f === 'dequeue' ? { type: 'ok', value: r.chance(0.7) ? { taskId: `t${i}`, payload: `x${i}` } : null } : { type: 'ok' };
        gen.update?.(p, call, outcome);
      }
      return ops;
    };
    const ops = run(5);
    expect(run(5)).toEqual(ops);
    const producerOps = ops.filter((_, i) => i % 3 === 0);
    expect(producerOps.every((o) => o.f === 'enqueue' && typeof o.value === 'string')).toBe(true);
    expect(new Set(producerOps.map((o) => o.value)).size).toBe(producerOps.length);
    const workerOps = ops.filter((_, i) => i % 3 !== 0).map((o) => o.f);
    expect(workerOps).toContain('complete');
    expect(workerOps).toContain('abandon');
    expect(workerOps.some((f) => f === 'enqueue')).toBe(false);
    // complete/abandon carry the task the previous dequeue of that process returned
    const settle = ops.find((o) => o.f === 'complete');
    expect(settle?.value).toMatchObject({ taskId: expect.any(String), payload: expect.any(String) });
  });

  it('final phase: complete a held task, then drain and stats', () => {
    const gen = queue.generator(queue.options.parse({}), new Random(1));
    gen.update?.(1, { f: 'dequeue' }, { type: 'ok', value: { taskId: 't1', payload: 'p' } });
    expect(gen.final(1)).toEqual([{ f: 'complete', value: { taskId: 't1', payload: 'p' } }, { f: 'drain' }, { f: 'stats' }]);
    expect(gen.final(3)).toEqual([{ f: 'drain' }, { f: 'stats' }]);
  });
});

describe('queue client against a fake queue', () => {
  async function client(node: NodeEndpoint, options: unknown = {}) {
    const c = await queue.client(queue.options.parse(options), { nodes: [node], process: 0, timeoutMs: 1000, random: new Random(1) });
    cleanup.push(() => c.close());
    return c;
  }

  it('enqueue, dequeue, complete, 409 on a lost lease, empty dequeue, stats', async () => {
    const { node } = await fakeQueue();
    const c = await client(node);
    const enq = await c.invoke({ f: 'enqueue', value: 'payload-1' }, never);
    expect(enq).toEqual({ type: 'ok', node: 'producer', value: { taskId: 'task-1', payload: 'payload-1' } });
    const deq = await c.invoke({ f: 'dequeue' }, never);
    expect(deq).toEqual({ type: 'ok', node: 'producer', value: { taskId: 'task-1', payload: 'payload-1' } });
    expect(await c.invoke({ f: 'dequeue' }, never)).toEqual({ type: 'ok', node: 'producer', value: null });
    expect(await c.invoke({ f: 'complete', value: deq.value }, never)).toMatchObject({ type: 'ok', value: deq.value });
    const again = await c.invoke({ f: 'complete', value: deq.value }, never);
    expect(again).toMatchObject({ type: 'fail', value: deq.value, error: 'HTTP 409: lease lost' });
    expect(await c.invoke({ f: 'abandon', value: deq.value }, never)).toMatchObject({ type: 'ok', value: deq.value });
    expect(await c.invoke({ f: 'stats' }, never)).toMatchObject({ type: 'ok', value: { pending: 0, processing: 0, completed: 1, failed: 0 } });
  });

  it('drain waits for abandoned tasks to come back when leases expire', async () => {
    const { node } = await fakeQueue(300);
    const c = await client(node, { drain: { timeoutMs: 3000, pollMs: 50 } });
    for (const p of ['a', 'b', 'c']) await c.invoke({ f: 'enqueue', value: p }, never);
    const held = await c.invoke({ f: 'dequeue' }, never);
    await c.invoke({ f: 'abandon', value: held.value }, never);
    const drained = await c.invoke({ f: 'drain' }, never);
    expect(drained.type).toBe('ok');
    expect((drained.value as { payload: string }[]).map((t) => t.payload).sort()).toEqual(['a', 'b', 'c']);
  });

  it('drain gives up after its timeout when a task stays processing (no lease)', async () => {
    const { node } = await fakeQueue();
    const c = await client(node, { drain: { timeoutMs: 300, pollMs: 50 } });
    await c.invoke({ f: 'enqueue', value: 'a' }, never);
    await c.invoke({ f: 'enqueue', value: 'b' }, never);
    await c.invoke({ f: 'dequeue' }, never); // abandoned: stays processing forever
    const started = Date.now();
    const drained = await c.invoke({ f: 'drain' }, never);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(drained).toMatchObject({ type: 'ok', value: [{ taskId: 'task-2', payload: 'b' }] });
    expect(await c.invoke({ f: 'stats' }, never)).toMatchObject({ value: { processing: 1 } });
  });

  it('enqueue to a node that is down fails (nothing was sent)', async () => {
    const { node } = await fakeQueue();
    await cleanup.pop()?.(); // stop the server: its port now refuses connections
    const c = await client(node);
    expect(await c.invoke({ f: 'enqueue', value: 'x' }, never)).toMatchObject({ type: 'fail', node: 'producer' });
  });
});
