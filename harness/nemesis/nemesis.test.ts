import { describe, expect, it } from 'vitest';
import type { Grudge, Network, PartitionMode } from '../network/network.js';
import { Random } from '../../core/random.js';
import type { NewOp } from '../run/history.js';
import type { NodeState, Runtime } from '../runtime/runtime.js';
import { shippedFaults } from '../faults/index.js';
import { Nemesis } from './nemesis.js';
import { planFaults, type PlannedFault } from './plan.js';

const nodes = ['n1', 'n2', 'n3'];

function fakes(options: { failKill?: string } = {}) {
  const calls: string[] = [];
  const states = new Map<string, NodeState>(nodes.map((n) => [n, 'running']));
  const runtime = {
    kind: 'fake',
    state: (id: string) => states.get(id)!,
    kill: async (id: string) => {
      calls.push(`kill ${id}`);
      if (id === options.failKill) throw new Error(`cannot kill ${id}`);
      states.set(id, 'stopped');
    },
    restart: async (id: string) => {
      calls.push(`restart ${id}`);
      states.set(id, 'running');
    },
    waitHealthy: async () => undefined,
    pause: async (id: string) => {
      calls.push(`pause ${id}`);
      states.set(id, 'paused');
    },
    resume: async (id: string) => {
      calls.push(`resume ${id}`);
      states.set(id, 'running');
    },
  } as unknown as Runtime;
  const network = {
    partition: async (grudge: Grudge, mode: PartitionMode) => void calls.push(`partition ${mode} ${JSON.stringify(grudge)}`),
    heal: async () => void calls.push('heal'),
    latency: async (links: unknown, o: { latency: number }) => void calls.push(`latency ${typeof links === 'string' ? links : JSON.stringify(links)} ${o.latency}`),
    bandwidth: async (links: unknown, o: { rate: number }) => void calls.push(`bandwidth ${String(links)} ${o.rate}`),
    resetPeer: async (links: unknown, o: { timeout: number }) => void calls.push(`reset-peer ${String(links)} ${o.timeout}`),
    slicer: async (links: unknown, o: { averageSize: number; sizeVariation: number; delay: number }) =>
      void calls.push(`slicer ${String(links)} ${o.averageSize} ${o.sizeVariation} ${o.delay}`),
    clearToxics: async (_links: unknown, tag?: string) => void calls.push(tag === undefined ? 'clear' : `clear ${tag}`),
  } as unknown as Network;
  const ops: NewOp[] = [];
  return { calls, runtime, network, ops, states };
}

const at = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Nemesis', () => {
  it('runs the plan as invoke/info pairs, records a fault that fails as info with an error, and goes on', async () => {
    const f = fakes({ failKill: 'n2' });
    const plan: PlannedFault[] = [
      { id: 0, at: 0, duration: 30, type: 'kill', targets: 'one', nodes: ['n2'] },
      { id: 1, at: 40, duration: 30, type: 'pause', targets: 'leader' },
      { id: 2, at: 80, duration: 500, type: 'latency', ms: 50, jitter: 0, links: 'peers' },
    ];
    const nemesis = new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader: () => 'n3', random: new Random(1), healthTimeoutMs: 100 });
    nemesis.start();
    await at(120);
    expect(nemesis.activeFaults()).toEqual(['latency 50ms on peers']);
    await nemesis.healAll();
    expect(f.calls).toEqual(['kill n2', 'pause n3', 'resume n3', 'latency peers 50', 'clear fault2', 'heal', 'clear']);
    const pairs = f.ops.map((o) => `${o.type} ${o.f}${o.error ? ` (${o.error})` : ''}`);
    expect(pairs).toEqual([
      'invoke kill',
      'info kill (cannot kill n2)',
      'invoke pause',
      'info pause',
      'invoke resume',
      'info resume',
      'invoke start-latency',
      'info start-latency',
      'invoke stop-latency',
      'info stop-latency',
    ]);
    expect(f.ops.every((o) => o.process === 'nemesis')).toBe(true);
    expect(f.ops[2]).toMatchObject({ value: { nodes: ['n3'] }, node: 'n3' });
  });

  it('heals everything before the final phase: restarts killed nodes, heals partitions, drops what had not started', async () => {
    const f = fakes();
    const plan: PlannedFault[] = [
      { id: 0, at: 0, duration: 10_000, type: 'kill', targets: 'one', nodes: ['n1'] },
      { id: 1, at: 10, duration: 10_000, type: 'partition', shape: 'halves', mode: 'drop', partition: { shape: 'halves', grudge: { n1: ['n3'], n3: ['n1'] }, components: [['n1', 'n2'], ['n3']], description: 'n1 n2 | n3' } },
      { id: 2, at: 5000, duration: 10, type: 'pause', targets: 'one', nodes: ['n2'] },
    ];
    const nemesis = new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader: () => undefined, random: new Random(1), healthTimeoutMs: 100 });
    nemesis.start();
    await at(50);
    expect(nemesis.activeFaults()).toEqual(['kill n1', 'partition halves (n1 n2 | n3)']);
    await nemesis.healAll();
    expect(nemesis.activeFaults()).toEqual([]);
    expect([...f.states.values()]).toEqual(['running', 'running', 'running']);
    expect(f.calls).not.toContain('pause n2');
    const fs = f.ops.filter((o) => o.type === 'info').map((o) => o.f);
    expect(fs).toEqual(['kill', 'start-partition', 'stop-partition', 'restart']);
  });

  it('records isolate-leader and leader targets as failed when no leader is known', async () => {
    const f = fakes();
    const plan: PlannedFault[] = [
      { id: 0, at: 0, duration: 10, type: 'partition', shape: 'isolate-leader', mode: 'reject' },
      { id: 1, at: 20, duration: 10, type: 'kill', targets: 'leader' },
    ];
    const nemesis = new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader: () => undefined, random: new Random(1), healthTimeoutMs: 100 });
    nemesis.start();
    await at(60);
    await nemesis.healAll();
    const errors = f.ops.filter((o) => o.type === 'info' && o.error).map((o) => `${o.f}: ${o.error}`);
    expect(errors).toEqual([
      'start-partition: no leader known (the status monitor saw none)',
      'kill: no leader known (the status monitor saw none)',
    ]);
  });

  it('overlapping partitions: ending a later one puts the earlier one back', async () => {
    const f = fakes();
    const part = (id: number, at: number, duration: number, grudge: Grudge): PlannedFault => ({
      id,
      at,
      duration,
      type: 'partition',
      shape: 'isolate-one',
      mode: 'drop',
      partition: { shape: 'isolate-one', grudge, components: [], description: JSON.stringify(grudge) },
    });
    const plan = [part(0, 0, 100, { n1: ['n2'] }), part(1, 20, 30, { n3: ['n2'] })];
    const nemesis = new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader: () => undefined, random: new Random(1), healthTimeoutMs: 100 });
    nemesis.start();
    await at(150);
    await nemesis.healAll();
    expect(f.calls.slice(0, 4)).toEqual([
      'partition drop {"n1":["n2"]}',
      'partition drop {"n3":["n2"]}',
      'partition drop {"n1":["n2"]}', // the later one ended: the earlier one is still in force
      'heal',
    ]);
  });

  it('passes chosen links through, and two overlapping latencies end one by one', async () => {
    const f = fakes();
    const plan: PlannedFault[] = [
      { id: 0, at: 0, duration: 60, type: 'latency', ms: 10, jitter: 0, links: { touching: ['n1'] } },
      { id: 1, at: 10, duration: 10, type: 'latency', ms: 20, jitter: 0, links: 'peers' },
    ];
    const nemesis = new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader: () => undefined, random: new Random(1), healthTimeoutMs: 100 });
    nemesis.start();
    await at(40);
    expect(nemesis.activeFaults()).toEqual(['latency 10ms on links touching n1']);
    await nemesis.healAll();
    expect(f.calls.slice(0, 4)).toEqual(['latency {"touching":["n1"]} 10', 'latency peers 20', 'clear fault1', 'clear fault0']);
  });

  it('sets and clears bandwidth, reset-peer and slicer toxics', async () => {
    const f = fakes();
    const plan: PlannedFault[] = [
      { id: 0, at: 0, duration: 10, type: 'bandwidth', rate: 8, links: 'clients' },
      { id: 1, at: 20, duration: 10, type: 'reset-peer', timeout: 5, links: 'all' },
      { id: 2, at: 40, duration: 1000, type: 'slicer', average_size: 4, size_variation: 2, delay: 100, links: 'peers' },
    ];
    const nemesis = new Nemesis({ plan, faults: shippedFaults, runtime: f.runtime, network: f.network, nodes, record: (op) => f.ops.push(op), leader: () => undefined, random: new Random(1), healthTimeoutMs: 100 });
    nemesis.start();
    await at(80);
    expect(nemesis.activeFaults()).toEqual(['slicer 4 bytes on peers']);
    await nemesis.healAll();
    expect(f.calls.slice(0, 6)).toEqual(['bandwidth clients 8', 'clear fault0', 'reset-peer all 5', 'clear fault1', 'slicer peers 4 2 100', 'clear fault2']);
    expect(f.ops.filter((o) => o.type === 'info').map((o) => o.f)).toEqual([
      'start-bandwidth',
      'stop-bandwidth',
      'start-reset-peer',
      'stop-reset-peer',
      'start-slicer',
      'stop-slicer',
    ]);
    expect(f.ops[1]).toMatchObject({ value: { rate: 8, links: 'clients' } });
  });

  it('plans the same schedule from the same seed', () => {
    const settings = { interval: 1000, duration: 500, faults: [{ type: 'kill' as const, targets: 'minority' as const }, { type: 'partition' as const, shapes: ['random-halves' as const], mode: 'drop' as const }] };
    const a = planFaults(settings, ['a', 'b', 'c', 'd', 'e'], 20_000, new Random(9), shippedFaults);
    const b = planFaults(settings, ['a', 'b', 'c', 'd', 'e'], 20_000, new Random(9), shippedFaults);
    const c = planFaults(settings, ['a', 'b', 'c', 'd', 'e'], 20_000, new Random(10), shippedFaults);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((f) => f.at)).toEqual([1000, 2500, 4000, 5500, 7000, 8500, 10000, 11500, 13000, 14500, 16000, 17500, 19000]);
  });

  it('never loops or grows without bound, whatever settings it is given', () => {
    const kill = [{ type: 'kill' as const, targets: 'one' as const }];
    expect(() => planFaults({ interval: 0, duration: 0, faults: kill }, ['a'], 1000, new Random(1), shippedFaults)).toThrow(/would plan Infinity faults; at most 10000/);
    expect(() => planFaults({ interval: 1, duration: 1, faults: kill }, ['a'], 86_400_000, new Random(1), shippedFaults)).toThrow(/would plan 43200000 faults/);
    expect(planFaults({ interval: 0, duration: 0, faults: [] }, ['a'], 1000, new Random(1), shippedFaults)).toEqual([]);
    expect(planFaults({ interval: 1, duration: 1, faults: kill }, ['a'], 20_000, new Random(1), shippedFaults)).toHaveLength(10_000);
  });
});
