import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { checkers } from '../../checkers/index.js';
import { loadCampaign } from '../campaign/load.js';
import type { BurstSettings } from '../campaign/schema.js';
import { projectRoot } from '../descriptor.js';
import { shippedFaults } from '../faults/index.js';
import { planFaults } from './plan.js';

const nodes = ['a', 'b', 'c', 'd', 'e'];
const kill = [{ type: 'kill', targets: 'one' }, { type: 'pause', targets: 'leader' }];
const burst = (b: Partial<BurstSettings> = {}): BurstSettings => ({ chance: 1, count: 3, duration: 500, gap: { min: 100, max: 900 }, ...b });

describe('bursts: faults in quick succession', () => {
  it('a burst slot holds `count` faults, each a seeded gap of 100-900 ms after the previous one ended', () => {
    const plan = planFaults({ interval: 3000, duration: 2000, faults: kill, burst: burst() }, nodes, 20_000, new Random(4), shippedFaults);
    expect(plan.every((f) => f.duration === 500)).toBe(true);
    const gaps = plan.slice(1).map((f, i) => f.at - (plan[i]!.at + plan[i]!.duration));
    // inside a burst: sub-second gaps; between bursts: the interval and more
    const quick = gaps.filter((g) => g < 1000);
    const sizes = gaps.reduce((groups, g) => (g < 1000 ? (groups[groups.length - 1]!++, groups) : [...groups, 1]), [1]);
    expect(sizes.slice(0, -1).every((n) => n === 3)).toBe(true);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(sizes.at(-1)).toBeLessThanOrEqual(3);
    expect(quick.every((g) => g >= 100 && g <= 900)).toBe(true);
    expect(new Set(quick).size).toBeGreaterThan(1);
    expect(gaps.filter((g) => g >= 1000).every((g) => g === 3000)).toBe(true);
    expect(plan[0]!.at).toBe(3000);
    expect(plan.at(-1)!.at).toBeLessThan(20_000);
  });

  it('is seeded and replayable: the same seed gives the same plan, another seed other gaps', () => {
    const settings = { interval: 1000, duration: 1500, faults: kill, burst: burst({ chance: 0.5 }) };
    const a = planFaults(settings, nodes, 30_000, new Random(7), shippedFaults);
    expect(planFaults(settings, nodes, 30_000, new Random(7), shippedFaults)).toEqual(a);
    expect(planFaults(settings, nodes, 30_000, new Random(8), shippedFaults).map((f) => f.at)).not.toEqual(a.map((f) => f.at));
    // chance 0.5: both single faults (1.5 s) and bursts (0.5 s each) in one schedule
    expect(new Set(a.map((f) => f.duration))).toEqual(new Set([500, 1500]));
  });

  it('a schedule without bursts plans as before', () => {
    const settings = { interval: 1000, duration: 500, faults: kill };
    const plain = planFaults(settings, nodes, 20_000, new Random(9), shippedFaults);
    expect(plain.map((f) => f.at)).toEqual([1000, 2500, 4000, 5500, 7000, 8500, 10000, 11500, 13000, 14500, 16000, 17500, 19000]);
    expect(planFaults({ ...settings, burst: burst({ chance: 0 }) }, nodes, 20_000, new Random(9), shippedFaults)).toEqual(plain);
  });

  it('is bounded: a burst schedule over MAX_PLANNED_FAULTS is refused before planning', () => {
    expect(() => planFaults({ interval: 0, duration: 1, faults: kill, burst: burst({ count: 100, duration: 1, gap: { min: 0, max: 0 } }) }, nodes, 3_600_000, new Random(1), shippedFaults)).toThrow(/would plan \d+ faults; at most 10000/);
  });

  it('the campaign schema reads burst with its defaults and refuses a gap whose min is above its max', async () => {
    const file = join(projectRoot, 'harness', 'run', 'fixtures', 'fake.yaml');
    const load = (sets: string[]) => loadCampaign(file, { registries: { workloads: {}, checkers, faults: shippedFaults }, seed: 5, sets });
    const c = await load(['nemesis.faults=[{type: kill}]', 'nemesis.burst={count: 4}']);
    expect(c.spec.nemesis.burst).toEqual({ chance: 1, count: 4, gap: { min: 100, max: 900 } });
    await expect(load(['nemesis.faults=[{type: kill}]', 'nemesis.burst={gap: {min: 2s, max: 1s}}'])).rejects.toThrow(/nemesis\.burst\.gap.*min must be at most gap\.max/);
    await expect(load(['nemesis.faults=[{type: kill}]', 'nemesis.burst={cuont: 4}'])).rejects.toThrow(/cuont/);
  });
});
