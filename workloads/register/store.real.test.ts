/** The register client against the real reference store (built in dist/; `npx tsc -p .` first). */
import { afterEach, describe, expect, it } from 'vitest';
import type { OpCall, OpOutcome, WorkloadClient } from '../../core/workload.js';
import { clusterAndClients } from '../testing.js';
import { register } from './index.js';

const harness = clusterAndClients(register);
afterEach(() => harness.stop());

const never = new AbortController().signal;

const clientFor = (process: number, options: unknown): Promise<WorkloadClient> => harness.client(process, options, { api: 'store' });

async function untilOk(c: WorkloadClient, call: OpCall, ms = 8000): Promise<OpOutcome> {
  const deadline = Date.now() + ms;
  for (;;) {
    const out = await c.invoke(call, never);
    if (out.type === 'ok' || Date.now() > deadline) return out;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('register workload against the reference store', () => {
  it('writes from any node reach the leader (node-1); strong and read_your_writes reads see them', async () => {
    await harness.start('store', { env: { WRITE_QUORUM: '2', READ_QUORUM: '2' } });
    const strong = await clientFor(2, { readLevel: 'strong' });
    const w = await untilOk(strong, { f: 'write', key: 'k1', value: 7 });
    expect(w).toMatchObject({ type: 'ok', node: 'node-1', value: 7 });
    expect(await strong.invoke({ f: 'read', key: 'k1' }, never)).toMatchObject({ type: 'ok', node: 'node-3', value: 7 });
    const ryw = await clientFor(1, { readLevel: 'read_your_writes' });
    expect(await ryw.invoke({ f: 'write', key: 'k2', value: 8 }, never)).toMatchObject({ type: 'ok', node: 'node-1' });
    expect(await ryw.invoke({ f: 'read', key: 'k2' }, never)).toMatchObject({ type: 'ok', value: 8 });
    expect(await ryw.invoke({ f: 'delete', key: 'k2' }, never)).toMatchObject({ type: 'ok', node: 'node-1' });
    expect(await ryw.invoke({ f: 'read', key: 'k2' }, never)).toMatchObject({ type: 'ok', value: null });
    const eventual = await clientFor(0, { readLevel: 'eventual' });
    expect(await eventual.invoke({ f: 'read', key: 'nope' }, never)).toMatchObject({ type: 'ok', node: 'node-1', value: null });
  });

  it('a strong read that cannot reach R nodes fails (definitely: reads change nothing)', async () => {
    const cluster = await harness.start('store', { env: { WRITE_QUORUM: '1', READ_QUORUM: '3' } });
    const c = await clientFor(1, { readLevel: 'strong' });
    await untilOk(c, { f: 'write', key: 'k', value: 1 });
    await cluster.kill('node-3');
    const out = await c.invoke({ f: 'read', key: 'k' }, never);
    expect(out).toMatchObject({ type: 'fail', node: 'node-2' });
    expect(out.error).toMatch(/quorum/i);
  });
});
