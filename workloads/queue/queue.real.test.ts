/** The queue client against the real reference producer (built in dist/; `npx tsc -p .` first). */
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkloadClient } from '../../core/workload.js';
import { clusterAndClients } from '../testing.js';
import { queue } from './index.js';
import type { QueueTask } from './options.js';

const harness = clusterAndClients(queue);
afterEach(() => harness.stop());

const never = new AbortController().signal;

const clientFor = (process: number, options: unknown = {}): Promise<WorkloadClient> => harness.client(process, options);

describe('queue workload against the reference producer', () => {
  it('enqueue, dequeue, complete with the lease, abandon, drain after the lease expires, stats', async () => {
    await harness.start('queue', { env: { LEASE_MS: '400' } });
    const producer = await clientFor(0);
    const w1 = await clientFor(1, { drain: { timeoutMs: 5000, pollMs: 50 } });
    const w2 = await clientFor(2);
    const enq: QueueTask[] = [];
    for (const p of ['payload-1', 'payload-2', 'payload-3']) {
      const out = await producer.invoke({ f: 'enqueue', value: p }, never);
      expect(out).toMatchObject({ type: 'ok', node: 'producer1', value: { taskId: expect.any(String), payload: p } });
      enq.push(out.value as QueueTask);
    }
    const d1 = await w1.invoke({ f: 'dequeue' }, never);
    expect(d1).toEqual({ type: 'ok', node: 'producer1', value: enq[0] });
    // another worker cannot complete a task leased to w1
    expect(await w2.invoke({ f: 'complete', value: enq[0] }, never)).toMatchObject({ type: 'fail', error: expect.stringMatching(/409/) });
    expect(await w1.invoke({ f: 'complete', value: d1.value }, never)).toMatchObject({ type: 'ok', value: enq[0] });
    const d2 = await w2.invoke({ f: 'dequeue' }, never);
    expect(await w2.invoke({ f: 'abandon', value: d2.value }, never)).toMatchObject({ type: 'ok' });
    const drained = await w1.invoke({ f: 'drain' }, never);
    expect(drained.type).toBe('ok');
    expect((drained.value as QueueTask[]).map((t) => t.payload).sort()).toEqual(['payload-2', 'payload-3']);
    expect(await w1.invoke({ f: 'dequeue' }, never)).toMatchObject({ type: 'ok', value: null });
    expect(await w1.invoke({ f: 'stats' }, never)).toEqual({ type: 'ok', node: 'producer1', value: { pending: 0, processing: 0, completed: 3, failed: 0 } });
  });

  it('with BUGS=no-lease an abandoned task stays processing: drain gives up, stats show it', async () => {
    await harness.start('queue', { bugs: ['no-lease'] });
    const c = await clientFor(1, { drain: { timeoutMs: 400, pollMs: 50 } });
    await c.invoke({ f: 'enqueue', value: 'a' }, never);
    await c.invoke({ f: 'enqueue', value: 'b' }, never);
    const held = await c.invoke({ f: 'dequeue' }, never);
    await c.invoke({ f: 'abandon', value: held.value }, never);
    const drained = await c.invoke({ f: 'drain' }, never);
    expect(drained).toMatchObject({ type: 'ok', value: [{ payload: 'b' }] });
    expect(await c.invoke({ f: 'stats' }, never)).toMatchObject({ type: 'ok', value: { pending: 0, processing: 1, completed: 1 } });
  });

  it('a killed producer makes enqueue fail; after a restart the journal still has the tasks', async () => {
    const cluster = await harness.start('queue');
    const c = await clientFor(0);
    await c.invoke({ f: 'enqueue', value: 'kept' }, never);
    await cluster.kill('producer1');
    // The first request may go out on a kept-alive connection that the kill just reset: the client
    // cannot know whether it arrived, so unknown (info) is the honest answer there.
    const first = await c.invoke({ f: 'enqueue', value: 'x' }, never);
    expect(['fail', 'info']).toContain(first.type);
    // A new connection is refused before anything is sent: a definite failure.
    expect(await c.invoke({ f: 'enqueue', value: 'y' }, never)).toMatchObject({ type: 'fail' });
    await cluster.restart('producer1');
    expect(await c.invoke({ f: 'stats' }, never)).toMatchObject({ type: 'ok', value: { pending: 1 } });
    expect(await c.invoke({ f: 'dequeue' }, never)).toMatchObject({ type: 'ok', value: { payload: 'kept' } });
  });
});
