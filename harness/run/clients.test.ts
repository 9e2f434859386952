import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Random } from '../../core/random.js';
import type { ClientContext, OpCall, OpOutcome, Workload } from '../../core/workload.js';
import { readRunHistory } from '../../core/history.js';
import { Clients, RateLimiter } from './clients.js';
import { HistoryWriter } from './history.js';
import { historyProblems } from './validate.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(
  answer: (call: OpCall, ctx: ClientContext, signal: AbortSignal, history: HistoryWriter) => Promise<OpOutcome>,
  opts: { concurrency?: number; rate?: number; timeoutMs?: number; nodes?: string[]; onEachNode?: boolean; urgent?: () => boolean } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-clients-'));
  dirs.push(dir);
  const history = new HistoryWriter(join(dir, 'history.jsonl'));
  const opened: number[] = [];
  const closed: number[] = [];
  let n = 0;
  const workload: Workload<unknown> = {
    name: 't',
    description: 't',
    apis: ['store'],
    options: z.unknown(),
    generator: () => ({
      next: (p) => ({ f: 'write', key: 'k', value: p * 1000 + n++ }),
      final: () => [{ f: 'read', key: 'k' }],
      ...(opts.urgent && { urgent: opts.urgent }),
      ...(opts.onEachNode && { finalOnEachNode: (node: string) => [{ f: 'read', key: 'k1', node }, { f: 'read', key: 'k2', node }] }),
    }),
    client: async (_o, ctx) => {
      opened.push(ctx.process);
      return { invoke: (call, signal) => answer(call, ctx, signal, history), close: async () => void closed.push(ctx.process) };
    },
  };
  const random = new Random(3);
  const clients = new Clients({
    workload,
    workloadOptions: {},
    generator: workload.generator({}, random),
    nodes: (opts.nodes ?? ['n1']).map((id) => ({ id, url: 'http://127.0.0.1:1' })),
    concurrency: opts.concurrency ?? 2,
    rate: opts.rate ?? 0,
    timeoutMs: opts.timeoutMs ?? 1000,
    random,
    history,
  });
  const finish = async () => {
    await clients.close();
    history.close();
    return readRunHistory(join(dir, 'history.jsonl'));
  };
  return { clients, history, opened, closed, finish };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Clients', () => {
  it('records the invoke before the client is asked, and the completion after', async () => {
    const seen: number[] = [];
    const t = setup(async (_c, _x, _s, history) => {
      seen.push(history.size); // the invoke was recorded already
      await sleep(1);
      return { type: 'ok', node: 'n1' };
    });
    await t.clients.open();
    setTimeout(() => t.clients.stop(), 100);
    await t.clients.runMain();
    const ops = await t.finish();
    expect(historyProblems(ops)).toEqual([]);
    expect(seen.length).toBeGreaterThan(5);
    for (const size of seen) expect(ops[size - 1]!.type).toBe('invoke');
    expect(ops.filter((o) => o.type === 'ok').every((o) => o.node === 'n1' && typeof o.value === 'number')).toBe(true);
  });

  it('turns a timeout into info, aborts the request, and retires the process for a fresh one', async () => {
    const aborted: number[] = [];
    const t = setup(
      (call, ctx, signal) =>
        new Promise((resolve) => {
          if (ctx.process === 0) {
            signal.addEventListener('abort', () => aborted.push(ctx.process));
            return; // never answers
          }
          setTimeout(() => resolve({ type: 'ok' }), 5);
        }),
      { concurrency: 2, timeoutMs: 50 },
    );
    await t.clients.open();
    setTimeout(() => t.clients.stop(), 200);
    await t.clients.runMain();
    expect(t.clients.processes()).toEqual([2, 1]); // process 0 retired, 2 = 0 + concurrency took over
    const ops = await t.finish();
    expect(historyProblems(ops)).toEqual([]);
    const info = ops.find((o) => o.process === 0 && o.type === 'info')!;
    expect(info.error).toBe('timeout after 50 ms');
    expect(info.value).toEqual(ops.find((o) => o.process === 0 && o.type === 'invoke')!.value);
    expect(ops.filter((o) => o.process === 0)).toHaveLength(2); // one op, then never again
    expect(aborted).toEqual([0]);
    expect(t.opened).toEqual([0, 1, 2]);
    expect(t.closed).toContain(0);
  });

  it('holds the target rate over all clients', async () => {
    const t = setup(async () => ({ type: 'ok' }), { concurrency: 4, rate: 100 });
    await t.clients.open();
    const started = performance.now();
    setTimeout(() => t.clients.stop(), 500);
    await t.clients.runMain();
    // Measured, not assumed: on a loaded machine the stop timer may fire late.
    const expected = (100 * (performance.now() - started)) / 1000;
    const ops = await t.finish();
    const done = ops.filter((o) => o.type === 'ok').length;
    expect(done).toBeGreaterThanOrEqual(Math.floor(0.4 * expected));
    expect(done).toBeLessThanOrEqual(Math.ceil(1.2 * expected) + 2);
  });

  it('starts a time-critical op (generator.urgent) at once, outside the rate, and hurry() wakes a process waiting for a slot', async () => {
    let urgent = false;
    const sent: number[] = [];
    const t = setup(async () => (sent.push(performance.now()), { type: 'ok' }), { concurrency: 2, rate: 1, urgent: () => urgent });
    await t.clients.open();
    const main = t.clients.runMain();
    await sleep(300);
    // at 1 op/s: one op at once, the other process waits ~1 s for its slot
    expect(sent).toHaveLength(1);
    t.clients.hurry(); // woken, both processes (each waiting for a slot) start an op now
    await sleep(50);
    expect(sent).toHaveLength(3);
    urgent = true; // while the generator says urgent, ops start back to back (woken as after leaderChanged)
    t.clients.hurry();
    await sleep(100);
    urgent = false;
    t.clients.stop();
    await main;
    await t.finish();
    expect(sent.length).toBeGreaterThan(10);
  });

  it('does not starve timers when a client answers without I/O', async () => {
    const t = setup(async () => ({ type: 'fail', error: 'refused' }));
    await t.clients.open();
    setTimeout(() => t.clients.stop(), 50);
    await t.clients.runMain();
    const ops = await t.finish();
    expect(ops.filter((o) => o.type === 'fail').length).toBeGreaterThan(10);
  });

  it('runs the final ops of every logical client after the main phase', async () => {
    const t = setup(async (call) => ({ type: 'ok', ...(call.f === 'read' && { value: 7 }) }));
    await t.clients.open();
    setTimeout(() => t.clients.stop(), 20);
    await t.clients.runMain();
    t.clients.resume();
    await t.clients.runFinal(100);
    const ops = await t.finish();
    const reads = ops.filter((o) => o.f === 'read' && o.type === 'ok');
    expect(reads.map((o) => o.process).sort()).toEqual([0, 1]);
    expect(reads.every((o) => o.value === 7)).toBe(true);
  });

  it('runs the final ops for each node (finalOnEachNode), each node by one logical client, in order', async () => {
    const t = setup(async (call) => ({ type: 'ok', value: 1, ...(call.node !== undefined && { node: call.node }) }), { concurrency: 2, nodes: ['n1', 'n2', 'n3'], onEachNode: true });
    await t.clients.open();
    await t.clients.runFinal(100);
    const ops = await t.finish();
    const perNode = ops.filter((o) => o.type === 'invoke' && o.node !== undefined).map((o) => [o.process, o.node, o.key]);
    // n1 and n3 by client 0 (after its own final read), n2 by client 1
    expect(perNode.filter(([p]) => p === 0)).toEqual([[0, 'n1', 'k1'], [0, 'n1', 'k2'], [0, 'n3', 'k1'], [0, 'n3', 'k2']]);
    expect(perNode.filter(([p]) => p === 1)).toEqual([[1, 'n2', 'k1'], [1, 'n2', 'k2']]);
    expect(ops.filter((o) => o.process === 0 && o.type === 'invoke')[0]).toMatchObject({ f: 'read', key: 'k' });
  });

  it('a client that cannot connect fails its ops (nothing sent) until it can, and the run goes on', async () => {
    let attempts = 0;
    const t = setup(async () => ({ type: 'ok' }));
    const { ReconnectingClient } = await import('./clients.js');
    const client = new ReconnectingClient(async () => {
      attempts++;
      if (attempts < 3) throw new Error('ECONNREFUSED');
      return { invoke: async () => ({ type: 'ok' }), close: async () => undefined };
    });
    await client.connect();
    const signal = new AbortController().signal;
    expect(await client.invoke({ f: 'read' }, signal)).toEqual({ type: 'fail', error: 'client could not connect: ECONNREFUSED' });
    expect(await client.invoke({ f: 'read' }, signal)).toEqual({ type: 'ok' });
    expect(await client.invoke({ f: 'read' }, signal)).toEqual({ type: 'ok' });
    expect(attempts).toBe(3);
    await t.finish();
  });

  it('RateLimiter spaces slots 1000/rate ms apart', () => {
    const limiter = new RateLimiter(1000);
    const delays = Array.from({ length: 5 }, () => limiter.take());
    expect(delays[0]).toBeLessThan(1);
    expect(delays[4]).toBeGreaterThan(3);
    expect(new RateLimiter(0).take()).toBe(0);
  });
});
