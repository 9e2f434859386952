import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import type { Grudge, Network, PartitionMode } from '../network/network.js';
import type { NewOp } from '../run/history.js';
import type { NodeState, Runtime } from '../runtime/runtime.js';
import { shippedFaults } from '../faults/index.js';
import { nemesisCatalog } from './catalog.js';
import { Nemesis } from './nemesis.js';
import { describeFault, planFaults, type PlannedFault } from './plan.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

function fakes() {
  const calls: string[] = [];
  const states = new Map<string, NodeState>(nodes.map((n) => [n, 'running']));
  const note = (what: string) => async (id: string) => {
    calls.push(`${what} ${id}`);
    states.set(id, what === 'kill' ? 'stopped' : what === 'pause' ? 'paused' : 'running');
  };
  const runtime = {
    kind: 'fake',
    state: (id: string) => states.get(id)!,
    kill: note('kill'),
    restart: note('restart'),
    pause: note('pause'),
    resume: note('resume'),
    waitHealthy: async () => undefined,
  } as unknown as Runtime;
  const network = {
    partition: async (grudge: Grudge, mode: PartitionMode) => void calls.push(`partition ${mode} ${JSON.stringify(grudge)}`),
    heal: async () => void calls.push('heal'),
    clearToxics: async () => void calls.push('clear'),
  } as unknown as Network;
  const ops: NewOp[] = [];
  return { calls, runtime, network, ops, states };
}

const at = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits (up to 5 s, the machine may be loaded) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 5000; waited += 5) await at(5);
}

function nemesisOf(f: ReturnType<typeof fakes>, plan: PlannedFault[], leader: () => string | undefined) {
  return new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader, random: new Random(3), healthTimeoutMs: 100 });
}

const nodesOf = (op: NewOp) => {
  const value = op.value as { nodes?: unknown } | undefined;
  return Array.isArray(value?.nodes) ? ` ${value.nodes.join(' ')}` : '';
};
const infos = (ops: NewOp[]) => ops.filter((o) => o.type === 'info').map((o) => `${o.f}${nodesOf(o)}${o.error ? ` (${o.error})` : ''}`);

describe('leader-aware faults in two steps', () => {
  it('leader-after-heal: partition, heal, then at once kill the leader the monitor sees after the heal; restart at the end', async () => {
    const f = fakes();
    let leader = 'n1';
    const [planned] = planFaults({ interval: 0, duration: 0, faults: [], timeline: [{ type: 'leader-after-heal', at: 0, duration: 200, shapes: ['halves'], mode: 'drop', then: ['kill'], split: 0.5 }] }, nodes, 10_000, new Random(1), shippedFaults);
    expect(describeFault(planned!, shippedFaults)).toBe('0.00s+0.20s leader-after-heal halves (drop): n1 n2 n3 | n4 n5; healed after 50%, then kill the leader');
    const nemesis = nemesisOf(f, [planned!], () => leader);
    nemesis.start();
    await until(() => f.calls.length > 0);
    leader = 'n2'; // a new leader on the majority side while the partition is in force
    await until(() => f.calls.includes('kill n2'));
    expect(nemesis.activeFaults()).toEqual(['leader-after-heal: kill n2']);
    await until(() => f.calls.includes('restart n2'));
    await nemesis.healAll();
    expect(f.calls.slice(0, 4)).toEqual(['partition drop {"n1":["n4","n5"],"n2":["n4","n5"],"n3":["n4","n5"],"n4":["n1","n2","n3"],"n5":["n1","n2","n3"]}', 'heal', 'kill n2', 'restart n2']);
    expect(infos(f.ops)).toEqual(['start-partition', 'stop-partition', 'kill n2', 'restart n2']);
    // the kill comes right after the heal, not after another interval
    const stop = f.ops.findIndex((o) => o.f === 'stop-partition' && o.type === 'info');
    expect(f.ops[stop + 1]).toMatchObject({ type: 'invoke', f: 'kill', value: { nodes: ['n2'] } });
  });

  it('stale-candidate: cuts off a follower (never the leader), then in one network change cuts the leader off from its peers only and heals the follower', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const f = fakes();
      const plan: PlannedFault[] = [{ id: 0, at: 0, duration: 400, type: 'stale-candidate', first: { shape: 'isolate-follower', mode: 'drop' }, then: 'isolate', split: 0.25 }];
      const nemesis = new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader: () => 'n3', random: new Random(seed), healthTimeoutMs: 100 });
      nemesis.start();
      await until(() => nemesis.activeFaults().length > 0);
      expect(nemesis.activeFaults()).toEqual(['stale-candidate: partition isolate-leader (n3 | n1 n2 n4 n5)']);
      await nemesis.healAll();
      const [first, second, heal] = f.calls;
      const grudge = JSON.parse(first!.slice('partition drop '.length)) as Grudge;
      const isolated = Object.keys(grudge).find((n) => grudge[n]!.length === 4);
      expect(isolated).toBeDefined();
      expect(isolated).not.toBe('n3');
      // the leader's cut replaces the follower's: never a moment in which the leader reaches it
      expect(second).toBe('partition drop {"n3":["n1","n2","n4","n5"],"n1":["n3"],"n2":["n3"],"n4":["n3"],"n5":["n3"]}');
      expect(second).not.toContain('client');
      expect(heal).toBe('heal');
      expect(infos(f.ops)).toEqual(['start-partition', 'start-partition', 'stop-partition', 'stop-partition']);
    }
  });

  it('stale-candidate pauses the leader before it heals the follower, and resumes it at the end', async () => {
    const f = fakes();
    const plan: PlannedFault[] = [{ id: 0, at: 0, duration: 60, type: 'stale-candidate', first: { shape: 'isolate-follower', mode: 'reject' }, then: 'pause', split: 0.5 }];
    const nemesis = nemesisOf(f, plan, () => 'n5');
    nemesis.start();
    await until(() => f.calls.includes('resume n5'));
    await nemesis.healAll();
    expect(f.calls.slice(1)).toEqual(['pause n5', 'heal', 'resume n5', 'heal', 'clear']);
  });

  it('when the main phase ends during the first step, only the first is ended: no leader is taken out', async () => {
    const f = fakes();
    const plan: PlannedFault[] = [{ id: 0, at: 0, duration: 10_000, type: 'leader-after-heal', first: { shape: 'isolate-leader', mode: 'drop' }, then: 'kill', split: 0.5 }];
    const nemesis = nemesisOf(f, plan, () => 'n4');
    nemesis.start();
    await at(30);
    const started = Date.now();
    await nemesis.healAll();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(f.calls.some((c) => c.startsWith('kill'))).toBe(false);
    expect(infos(f.ops)).toEqual(['start-partition', 'stop-partition']);
  });

  it('plans from the seed (same seed, same plan), and `faultline list nemeses` lists both faults and the shapes', () => {
    const settings = { interval: 500, duration: 1000, faults: [{ type: 'leader-after-heal', shapes: ['halves', 'majorities-ring', 'isolate-leader'], mode: 'drop', then: ['kill', 'pause'], split: 0.5 }, { type: 'stale-candidate', mode: 'drop', then: ['kill', 'pause', 'isolate'], split: 0.6 }] };
    const a = planFaults(settings, nodes, 20_000, new Random(5), shippedFaults);
    expect(planFaults(settings, nodes, 20_000, new Random(5), shippedFaults)).toEqual(a);
    expect(new Set(a.map((p) => p.type))).toEqual(new Set(['leader-after-heal', 'stale-candidate']));
    expect(new Set(a.map((p) => p.then))).toEqual(new Set(['kill', 'pause', 'isolate']));
    const names = nemesisCatalog(shippedFaults).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['leader-after-heal', 'stale-candidate', 'partition/majorities-ring', 'partition/majority-ring', 'partition/isolate-follower']));
  });
});
