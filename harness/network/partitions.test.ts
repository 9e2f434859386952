import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { partitionShapeNames, planPartition, type PartitionPlan } from './partitions.js';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);

/** Who each node hears from (itself included). */
function views(plan: PartitionPlan, nodes: readonly string[]): Map<string, string[]> {
  return new Map(nodes.map((n) => [n, nodes.filter((m) => !(plan.grudge[n] ?? []).includes(m))]));
}

describe('partition shapes', () => {
  it('halves: first ceil(n/2) nodes against the rest, both ways', () => {
    const plan = planPartition('halves', ids(5), new Random(1));
    expect(plan.components).toEqual([['n1', 'n2', 'n3'], ['n4', 'n5']]);
    expect(plan.grudge['n1']).toEqual(['n4', 'n5']);
    expect(plan.grudge['n5']).toEqual(['n1', 'n2', 'n3']);
    expect(plan.description).toBe('n1 n2 n3 | n4 n5');
  });

  it('random-halves: a shuffled split, fixed by the seed, different across seeds', () => {
    const a = planPartition('random-halves', ids(6), new Random(7));
    expect(planPartition('random-halves', ids(6), new Random(7))).toEqual(a);
    expect(a.components.map((c) => c.length)).toEqual([3, 3]);
    expect(a.components.flat().sort()).toEqual(ids(6));
    const seen = new Set(Array.from({ length: 20 }, (_, s) => planPartition('random-halves', ids(6), new Random(s)).description));
    expect(seen.size).toBeGreaterThan(3);
  });

  it('isolate-one and isolate-leader cut one node from all the others', () => {
    const one = planPartition('isolate-one', ids(5), new Random(3));
    const [[lonely], rest] = one.components as [[string], string[]];
    expect(rest).toHaveLength(4);
    expect(one.grudge[lonely]?.sort()).toEqual(rest.sort());
    for (const r of rest) expect(one.grudge[r]).toEqual([lonely]);
    const lead = planPartition('isolate-leader', ids(5), new Random(3), { leader: 'n4' });
    expect(lead.components[0]).toEqual(['n4']);
    expect(lead.grudge['n4']).toEqual(['n1', 'n2', 'n3', 'n5']);
    expect(() => planPartition('isolate-leader', ids(5), new Random(3))).toThrow(/leader/);
    expect(() => planPartition('isolate-leader', ids(5), new Random(3), { leader: 'n9' })).toThrow(/n9/);
  });

  it('bridge: two halves that cannot hear each other, one node hearing both', () => {
    for (let seed = 0; seed < 10; seed++) {
      const nodes = ids(5);
      const plan = planPartition('bridge', nodes, new Random(seed));
      const v = views(plan, nodes);
      const bridges = nodes.filter((n) => v.get(n)!.length === nodes.length);
      expect(bridges).toHaveLength(1);
      const b = bridges[0]!;
      for (const n of nodes) if (n !== b) expect(v.get(n)).toContain(b);
      for (const n of nodes) if (n !== b) expect(plan.grudge[n]).not.toContain(b);
      const others = nodes.filter((n) => n !== b);
      // the rest splits in two groups that do not hear each other
      expect(others.some((n) => (plan.grudge[n] ?? []).length > 0)).toBe(true);
    }
  });

  it('majorities-ring: every node sees a majority, no two the same', () => {
    for (const n of [3, 4, 5, 7, 9]) {
      for (let seed = 0; seed < 5; seed++) {
        const nodes = ids(n);
        const plan = planPartition('majorities-ring', nodes, new Random(seed));
        expect(plan.shape).toBe('majorities-ring');
        const v = views(plan, nodes);
        const majority = Math.floor(n / 2) + 1;
        for (const node of nodes) expect(v.get(node)!.length).toBeGreaterThanOrEqual(majority);
        const distinct = new Set([...v.values()].map((seen) => [...seen].sort().join(',')));
        expect(distinct.size).toBe(n);
        // somebody is cut off from somebody: it is a real partition
        expect(Object.values(plan.grudge).some((g) => g.length > 0)).toBe(true);
      }
    }
  });

  it('majority-ring (the earlier name) plans the same ring as majorities-ring', () => {
    const nodes = ids(5);
    const alias = planPartition('majority-ring', nodes, new Random(4));
    const named = planPartition('majorities-ring', nodes, new Random(4));
    expect(alias.shape).toBe('majority-ring');
    expect(alias.grudge).toEqual(named.grudge);
    expect(alias.description).toBe(named.description);
  });

  it('no shape cuts a client link: isolate-leader leaves clients able to reach the cut-off leader', () => {
    for (const shape of partitionShapeNames) {
      const plan = planPartition(shape, ids(5), new Random(2), { leader: 'n3' });
      expect(Object.keys(plan.grudge)).not.toContain('client');
      for (const deaf of Object.values(plan.grudge)) expect(deaf).not.toContain('client');
    }
    const isolated = planPartition('isolate-leader', ids(5), new Random(2), { leader: 'n3' });
    expect(isolated.grudge.n3).toEqual(['n1', 'n2', 'n4', 'n5']);
  });

  it('refuses too few nodes and repeated ids', () => {
    expect(() => planPartition('majority-ring', ids(2), new Random(1))).toThrow(/at least 3/);
    expect(() => planPartition('majorities-ring', ids(2), new Random(1))).toThrow(/at least 3/);
    expect(() => planPartition('halves', ['n1'], new Random(1))).toThrow(/at least 2/);
    expect(() => planPartition('halves', ['n1', 'n1'], new Random(1))).toThrow(/repeat/);
  });

  it('every shape is deterministic for a seed', () => {
    for (const shape of partitionShapeNames) {
      const a = planPartition(shape, ids(5), new Random(42), { leader: 'n2' });
      const b = planPartition(shape, ids(5), new Random(42), { leader: 'n2' });
      expect(a).toEqual(b);
    }
  });
});
