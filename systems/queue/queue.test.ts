/**
 * The queue producer and worker as real processes on 127.0.0.1 (build first: `npx tsc -p .`).
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadDescriptor } from '../../harness/descriptor.js';
import { builtEntry, freePort, killAll, root, sleep, spawnNode, waitFor, type Spawned } from '../common/testing.js';
import { QUEUE_BUGS } from './producer.js';

let producerJs: string;
let workerJs: string;
const dirs: string[] = [];

beforeAll(() => {
  producerJs = builtEntry('dist/systems/queue/main.js');
  workerJs = builtEntry('dist/systems/queue/worker.js');
});
afterEach(killAll);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'faultline-queue-'));
  dirs.push(d);
  return d;
}

interface Producer {
  url: string;
  proc: Spawned;
  port: number;
  dir: string;
  env: Record<string, string>;
}

async function startProducer(env: Record<string, string> = {}, reuse?: Producer): Promise<Producer> {
  const port = reuse?.port ?? (await freePort());
  const dir = reuse?.dir ?? dataDir();
  const fullEnv = reuse?.env ?? { PORT: String(port), DATA_DIR: dir, NODE_ID: 'producer1', LEASE_MS: '5000', ...env };
  const proc = spawnNode(producerJs, fullEnv);
  await proc.waitFor(/listening on/);
  return { url: `http://127.0.0.1:${port}`, proc, port, dir, env: fullEnv };
}

async function restart(p: Producer): Promise<Producer> {
  await p.proc.kill('SIGKILL');
  return startProducer({}, p);
}

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions on JSON
}

async function call(url: string, method = 'GET', body?: unknown, raw?: string): Promise<Answer> {
  const init: RequestInit = { method };
  if (body !== undefined || raw !== undefined) {
    init.body = raw ?? JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const enqueue = (p: Producer, payload: unknown = { to: 'a@example.com' }, type = 'email') =>
  call(`${p.url}/task`, 'POST', { type, payload });

describe('queue producer: the course API', () => {
  it('answers with the course response shapes', async () => {
    const p = await startProducer();
    const e = await enqueue(p, { to: 'x@example.com' });
    expect(e.status).toBe(202);
    expect(e.body).toEqual({ taskId: expect.stringMatching(/^task-\d+-[0-9a-f]+$/), message: 'Task enqueued', stats: { pending: 1, processing: 0, completed: 0, failed: 0 } });

    const d = await call(`${p.url}/dequeue?workerId=w1`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ id: e.body.taskId, type: 'email', payload: { to: 'x@example.com' }, status: 'processing', retries: 0, maxRetries: 3, workerId: 'w1' });
    expect(typeof d.body.leaseId).toBe('string');
    expect(Number.isNaN(Date.parse(d.body.createdAt))).toBe(false);
    expect((await call(`${p.url}/dequeue`)).status).toBe(204);
    expect((await call(`${p.url}/stats`)).body).toEqual({ pending: 0, processing: 1, completed: 0, failed: 0 });

    const c = await call(`${p.url}/complete/${d.body.id}`, 'POST', { result: { sent: true }, leaseId: d.body.leaseId });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ taskId: d.body.id, status: 'completed' });
    expect((await call(`${p.url}/task/${d.body.id}`)).body).toMatchObject({ status: 'completed', result: { sent: true } });
    expect((await call(`${p.url}/stats`)).body).toEqual({ pending: 0, processing: 0, completed: 1, failed: 0 });
    expect(await call(`${p.url}/nowhere`)).toEqual({ status: 404, body: { error: 'Not found' } });
  });

  it('retries a failed task at the end of the queue and marks it failed at maxRetries', async () => {
    const p = await startProducer();
    const first = (await enqueue(p, 'one')).body.taskId;
    const second = (await enqueue(p, 'two')).body.taskId;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const d = (await call(`${p.url}/dequeue`)).body;
      expect(d.id).toBe(first);
      const f = await call(`${p.url}/fail/${first}`, 'POST', { error: 'boom', leaseId: d.leaseId });
      expect(f.status).toBe(200);
      expect(f.body.retries).toBe(attempt);
      expect(f.body.status).toBe(attempt < 3 ? 'pending' : 'failed');
      // back at the end of pending: the other task comes first
      if (attempt < 3) {
        const other = (await call(`${p.url}/dequeue`)).body;
        expect(other.id).toBe(second);
        await call(`${p.url}/fail/${second}`, 'POST', { error: 'later', leaseId: other.leaseId });
      }
    }
    expect((await call(`${p.url}/task/${first}`)).body).toMatchObject({ status: 'failed', retries: 3, error: 'boom' });
    expect((await call(`${p.url}/stats`)).body).toEqual({ pending: 1, processing: 0, completed: 0, failed: 1 });
  });

  it('refuses bad input with a 400 JSON error and keeps serving', async () => {
    const p = await startProducer();
    expect(await call(`${p.url}/task`, 'POST', undefined, '{"type": ')).toEqual({ status: 400, body: { error: 'Invalid JSON' } });
    expect(await call(`${p.url}/task`, 'POST', { type: 'email' })).toEqual({ status: 400, body: { error: 'type and payload required' } });
    expect(await call(`${p.url}/task`, 'POST', { payload: 1 })).toEqual({ status: 400, body: { error: 'type and payload required' } });
    expect((await call(`${p.url}/task`, 'POST', [1, 2])).status).toBe(400);
    expect((await call(`${p.url}/task`, 'POST', undefined, 'x'.repeat(1024 * 1024 + 10))).status).toBe(413);
    expect((await call(`${p.url}/complete/task-nope`, 'POST', {})).status).toBe(404);
    const id = (await enqueue(p)).body.taskId;
    await call(`${p.url}/dequeue`);
    expect((await call(`${p.url}/complete/${id}`, 'POST', { leaseId: 42 })).body).toEqual({ error: 'leaseId must be a non-empty string' });
    expect((await call(`${p.url}/complete/${id}`, 'POST', undefined, 'nope')).status).toBe(400);
    expect((await call(`${p.url}/stats`)).body).toEqual({ pending: 0, processing: 1, completed: 0, failed: 0 });
    expect(p.proc.child.exitCode).toBeNull();
  });
});

describe('queue producer: leases', () => {
  it('returns an expired lease to pending and answers 409 to the worker that lost it', async () => {
    const p = await startProducer({ LEASE_MS: '1000' });
    const id = (await enqueue(p)).body.taskId;
    const lost = (await call(`${p.url}/dequeue?workerId=slow`)).body;
    await sleep(1200);
    expect((await call(`${p.url}/stats`)).body).toMatchObject({ pending: 1, processing: 0 });
    // the lease ran out and nobody holds the task: no complete without the current lease wins
    expect((await call(`${p.url}/complete/${id}`, 'POST', { result: 1 })).status).toBe(409);
    const current = (await call(`${p.url}/dequeue?workerId=fast`)).body;
    expect(current.id).toBe(id);
    expect(current.leaseId).not.toBe(lost.leaseId);

    const stale = await call(`${p.url}/complete/${id}`, 'POST', { result: 'stale', leaseId: lost.leaseId });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'Lease lost', taskId: id, status: 'processing' });
    expect((await call(`${p.url}/fail/${id}`, 'POST', { error: 'x', leaseId: lost.leaseId })).status).toBe(409);
    expect((await call(`${p.url}/complete/${id}`, 'POST', { result: 'stale', workerId: 'slow' })).status).toBe(409);
    expect((await call(`${p.url}/task/${id}`)).body).toMatchObject({ status: 'processing', retries: 0, leaseId: current.leaseId });

    expect((await call(`${p.url}/complete/${id}`, 'POST', { result: 'ok', leaseId: current.leaseId })).status).toBe(200);
    const again = await call(`${p.url}/complete/${id}`, 'POST', { result: 'ok', leaseId: current.leaseId });
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    expect((await call(`${p.url}/task/${id}`)).body).toMatchObject({ status: 'completed', result: 'ok' });
    expect((await call(`${p.url}/stats`)).body).toEqual({ pending: 0, processing: 0, completed: 1, failed: 0 });
  });

  it('completes every task although a worker is SIGKILLed mid-task', async () => {
    const p = await startProducer({ LEASE_MS: '700' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue(p, { to: `u${i}@example.com` })).body.taskId);
    const worker = (id: string, workMs: string) =>
      spawnNode(workerJs, { QUEUE_URL: p.url, WORKER_ID: id, WORK_MIN_MS: workMs, WORK_MAX_MS: workMs, FAILURE_RATE: '0', POLL_INTERVAL_MS: '50' });
    const stuck = worker('worker-stuck', '600000');
    await stuck.waitFor(/processing task-/);
    const held = /processing (task-\S+)/.exec(stuck.output())![1]!;
    await stuck.kill('SIGKILL');
    for (let i = 5; i < 10; i++) ids.push((await enqueue(p, { to: `u${i}@example.com` })).body.taskId);
    worker('worker-2', '20');
    worker('worker-3', '20');
    const stats = await waitFor('all tasks completed', async () => {
      const s = (await call(`${p.url}/stats`)).body;
      return s.completed === 10 ? s : undefined;
    }, 15_000);
    expect(stats).toEqual({ pending: 0, processing: 0, completed: 10, failed: 0 });
    for (const id of ids) expect((await call(`${p.url}/task/${id}`)).body).toMatchObject({ status: 'completed', result: { sent: true } });
    expect(ids).toContain(held);
  });

  it('the worker fails tasks at FAILURE_RATE and they are retried', async () => {
    const p = await startProducer();
    for (let i = 0; i < 3; i++) await enqueue(p, { url: `img${i}` }, 'image');
    const w = spawnNode(workerJs, { QUEUE_URL: p.url, WORKER_ID: 'always-fails', WORK_MIN_MS: '1', WORK_MAX_MS: '5', FAILURE_RATE: '1', POLL_INTERVAL_MS: '50' });
    const stats = await waitFor('all tasks failed', async () => {
      const s = (await call(`${p.url}/stats`)).body;
      return s.failed === 3 ? s : undefined;
    }, 15_000);
    expect(stats).toEqual({ pending: 0, processing: 0, completed: 0, failed: 3 });
    expect(w.output()).toMatch(/failed \(Simulated failure\)/);
  });
});

describe('queue producer: crash recovery', () => {
  it('loses no acknowledged task when SIGKILLed mid-stream, and keeps leases and outcomes', async () => {
    let p = await startProducer({ LEASE_MS: '60000' });
    const acked = new Set<string>();
    for (let i = 0; i < 20; i++) acked.add((await enqueue(p, `before-${i}`)).body.taskId);
    const leased = [];
    for (let i = 0; i < 4; i++) leased.push((await call(`${p.url}/dequeue?workerId=w`)).body);
    await call(`${p.url}/complete/${leased[0].id}`, 'POST', { result: 'done', leaseId: leased[0].leaseId });
    await call(`${p.url}/fail/${leased[1].id}`, 'POST', { error: 'nope', leaseId: leased[1].leaseId });

    // concurrent enqueues while the producer is killed (after the 10th of them is acknowledged)
    let killed: Promise<void> | undefined;
    const inFlight = Array.from({ length: 60 }, async (_, i) => {
      await sleep(3 * i);
      try {
        const r = await enqueue(p, `during-${i}`);
        if (r.status === 202) acked.add(r.body.taskId);
        if (acked.size === 30) killed = p.proc.kill('SIGKILL');
      } catch {
        // connection refused/reset: not acknowledged
      }
    });
    await Promise.all(inFlight);
    await killed;
    // the kill landed mid-stream: some enqueues were acknowledged before it, some refused after
    const during = [...acked].length - 20;
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThan(60);
    p = await restart(p);
    expect(p.proc.output()).toMatch(/journal events recovered/);

    for (const id of acked) expect((await call(`${p.url}/task/${id}`)).status).toBe(200);
    expect((await call(`${p.url}/task/${leased[0].id}`)).body).toMatchObject({ status: 'completed', result: 'done' });
    expect((await call(`${p.url}/task/${leased[1].id}`)).body).toMatchObject({ status: 'pending', retries: 1 });
    // a lease given before the crash is still held and can be completed after it
    const c = await call(`${p.url}/complete/${leased[2].id}`, 'POST', { result: 'later', leaseId: leased[2].leaseId });
    expect(c.status).toBe(200);
    const stats = (await call(`${p.url}/stats`)).body;
    expect(stats.completed).toBe(2);
    expect(stats.processing).toBe(1);
    expect(stats.pending + stats.processing + stats.completed + stats.failed).toBeGreaterThanOrEqual(acked.size);

    // and a second crash right after the compaction on start loses nothing either
    p = await restart(p);
    expect((await call(`${p.url}/stats`)).body).toEqual(stats);
  });
});

describe('queue BUGS', () => {
  it('no-lease: a dequeued task stays processing forever', async () => {
    const p = await startProducer({ LEASE_MS: '100', BUGS: 'no-lease' });
    await enqueue(p);
    const d = (await call(`${p.url}/dequeue`)).body;
    expect(d.leaseExpiresAt).toBeNull();
    await sleep(400);
    expect((await call(`${p.url}/stats`)).body).toEqual({ pending: 0, processing: 1, completed: 0, failed: 0 });
    expect((await call(`${p.url}/dequeue`)).status).toBe(204);
    // correct by default: the same wait returns the task (see the lease tests above)
  });

  it('volatile: a restart loses every task', async () => {
    let p = await startProducer({ BUGS: 'volatile' });
    const id = (await enqueue(p)).body.taskId;
    expect(existsSync(join(p.dir, 'queue.jsonl'))).toBe(false);
    p = await restart(p);
    expect((await call(`${p.url}/stats`)).body).toEqual({ pending: 0, processing: 0, completed: 0, failed: 0 });
    expect((await call(`${p.url}/task/${id}`)).status).toBe(404);
  });

  it('an unknown bug name stops the producer with a message', async () => {
    const proc = spawnNode(producerJs, { PORT: String(await freePort()), DATA_DIR: dataDir(), BUGS: 'no-such-bug' });
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toMatch(/unknown bug "no-such-bug".*known: no-lease, volatile/);
  });
});

describe('queue descriptor', () => {
  it('is valid, lists the bugs the producer knows and runs with faultline node', async () => {
    const d = loadDescriptor(join(root, 'systems/queue/system.yaml'));
    expect(d).toMatchObject({ name: 'queue', api: 'queue', port: 3000, nodes: { default: 1, max: 1 }, health: { path: '/stats' } });
    expect(d.bugs.map((b) => b.name).sort()).toEqual([...QUEUE_BUGS].sort());
    const port = await freePort();
    const cli = spawnNode(join(root, 'bin/faultline.js'), {}, ['node', 'queue', '--id', 'producer1', '--port', String(port), '--data-dir', dataDir()]);
    try {
      await cli.waitFor(/queue producer producer1 listening on 127\.0\.0\.1:\d+/);
      expect((await call(`http://127.0.0.1:${port}/stats`)).status).toBe(200);
    } finally {
      // SIGTERM: faultline node forwards it to the producer and exits when the producer has
      await cli.kill('SIGTERM');
    }
    await expect(fetch(`http://127.0.0.1:${port}/stats`)).rejects.toThrow();
  });
});
