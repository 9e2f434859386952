/** The register client against the real reference Raft (built in dist/; `npx tsc -p .` first). */
import { afterEach, describe, expect, it } from 'vitest';
import type { OpCall, OpOutcome, WorkloadClient } from '../../core/workload.js';
import { clusterAndClients } from '../testing.js';
import { register } from './index.js';

const harness = clusterAndClients(register);
afterEach(() => harness.stop());

const never = new AbortController().signal;

const clientFor = (process: number, api: 'raft' | 'store', options: unknown = {}): Promise<WorkloadClient> =>
  harness.client(process, options, { api });

/** Retries an op while it fails (no leader yet); returns the first non-fail outcome. */
async function untilNotFail(c: WorkloadClient, call: OpCall, ms = 8000): Promise<OpOutcome> {
  const deadline = Date.now() + ms;
  for (;;) {
    const out = await c.invoke(call, never);
    if (out.type !== 'fail' || Date.now() > deadline) return out;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('register workload against the reference raft', () => {
  it('every client reaches the leader through redirects; reads name the write they saw', async () => {
    await harness.start('raft');
    const cs = await Promise.all([0, 1, 2].map((p) => clientFor(p, 'raft')));
    expect(await untilNotFail(cs[0]!, { f: 'write', key: 'k1', value: 1 })).toMatchObject({ type: 'ok', value: 1 });
    const nodesAnswering = new Set<string>();
    for (const [i, c] of cs.entries()) {
      const w = await untilNotFail(c, { f: 'write', key: 'k1', value: 10 + i });
      expect(w.type).toBe('ok');
      nodesAnswering.add(w.node!);
      expect(await c.invoke({ f: 'read', key: 'k1' }, never)).toMatchObject({ type: 'ok', value: 10 + i });
    }
    // all three clients, bound to three different nodes, ended at the one leader
    expect(nodesAnswering.size).toBe(1);
    expect(await cs[1]!.invoke({ f: 'delete', key: 'k1' }, never)).toMatchObject({ type: 'ok' });
    expect(await cs[2]!.invoke({ f: 'read', key: 'k1' }, never)).toMatchObject({ type: 'ok', value: null });
    expect(await cs[2]!.invoke({ f: 'read', key: 'never-written' }, never)).toMatchObject({ type: 'ok', value: null });
  });

  it('a killed home node gives fail (connection refused); after a leader crash writes reach the new leader', async () => {
    const cluster = await harness.start('raft');
    const c0 = await clientFor(0, 'raft');
    const first = await untilNotFail(c0, { f: 'write', key: 'a', value: 1 });
    expect(first.type).toBe('ok');
    const leader = first.node!;
    await cluster.kill(leader);
    const home = cluster.nodes.findIndex((n) => n.id === leader);
    const onDead = await clientFor(home, 'raft');
    expect(await onDead.invoke({ f: 'write', key: 'a', value: 2 }, never)).toMatchObject({ type: 'fail', node: leader });
    const survivor = await clientFor((home + 1) % 3, 'raft');
    const w = await untilNotFail(survivor, { f: 'write', key: 'a', value: 3 });
    expect(w.type).toBe('ok');
    expect(w.node).not.toBe(leader);
    expect(await survivor.invoke({ f: 'read', key: 'a' }, never)).toMatchObject({ type: 'ok', value: 3 });
  });
});
