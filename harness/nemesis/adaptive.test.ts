/** The adaptive nemesis's choices: seeded, steered by the coverage each choice brought. */
import { describe, expect, it } from 'vitest';
import type { FaultSpec, PlannedFault } from '../../core/fault.js';
import type { Op } from '../../core/op.js';
import { Random } from '../../core/random.js';
import { shippedFaults } from '../faults/index.js';
import { AdaptiveChooser, planAdaptive } from './adaptive.js';
import { planFaults } from './plan.js';
import { campaignSchema } from '../campaign/schema.js';

const nodes = ['n1', 'n2', 'n3'];
const spec = (type: string, options: Record<string, unknown>): FaultSpec => ({ type, ...(shippedFaults.require(type).options.parse(options) as object) });
const specs = [spec('pause', { targets: 'one' }), spec('kill', { targets: 'one' }), spec('partition', { shapes: ['halves'] })];

/** A cluster stand-in: a fault that `pays` makes a new leader (new term) while it is in force. */
function simulate(seed: number, pays: (f: PlannedFault) => boolean, slots = 30, explore = 0.2, choices = specs): PlannedFault[] {
  const chooser = new AdaptiveChooser({ specs: choices, nodes, faults: shippedFaults, random: new Random(seed).fork('nemesis-adaptive'), explore });
  let index = 0;
  let term = 1;
  const status = (time: number, node: string): Op => ({ index: index++, time, process: 'monitor', type: 'info', f: 'status', node, value: { role: 'leader', term } });
  const out: PlannedFault[] = [];
  for (let i = 0; i < slots; i++) {
    const t = i * 10e9;
    const f = chooser.choose({ id: i, at: t / 1e6, duration: 3000, type: 'placeholder' });
    out.push(f);
    chooser.observe(status(t + 1e9, `n${(term % 3) + 1}`));
    if (pays(f)) {
      term++;
      chooser.observe(status(t + 2e9, `n${(term % 3) + 1}`));
    }
  }
  chooser.finish();
  return out;
}

const kinds = (faults: PlannedFault[]): Record<string, number> => faults.reduce<Record<string, number>>((m, f) => ({ ...m, [f.type]: (m[f.type] ?? 0) + 1 }), {});

describe('adaptive nemesis', () => {
  it('prefers the fault kind that brought new leader changes, and still explores', () => {
    const chosen = simulate(1, (f) => f.type === 'kill');
    const count = kinds(chosen);
    expect(count.kill).toBeGreaterThanOrEqual(20);
    expect((count.pause ?? 0) + (count.partition ?? 0)).toBeGreaterThanOrEqual(2);
    // with no kind paying, the choice spreads out (explore and ties)
    const flat = kinds(simulate(1, () => false));
    expect(flat.kill ?? 0).toBeLessThan(20);
  });

  it('prefers the target that paid: only killing n2 brings an election', () => {
    const kills = simulate(2, (f) => (f.nodes as string[])[0] === 'n2', 30, 0.1, [spec('kill', { targets: 'one' })]);
    const onN2 = kills.filter((f) => (f.nodes as string[])[0] === 'n2').length;
    expect(onN2).toBeGreaterThanOrEqual(20);
    // the same without feedback: about a third
    const blind = simulate(2, () => false, 30, 0.1, [spec('kill', { targets: 'one' })]);
    expect(blind.filter((f) => (f.nodes as string[])[0] === 'n2').length).toBeLessThan(16);
  });

  it('is seeded: the same seed and the same feedback give the same faults; another seed others', () => {
    const a = simulate(7, (f) => f.type !== 'pause');
    expect(simulate(7, (f) => f.type !== 'pause')).toEqual(a);
    expect(simulate(8, (f) => f.type !== 'pause')).not.toEqual(a);
  });

  it('keeps the timeline as planned and the drawn slots\' times; records each choice and its reward', () => {
    const nemesis = campaignSchema.shape.nemesis.parse({
      mode: 'adaptive',
      start: '1s',
      interval: '1s',
      duration: '500ms',
      faults: [{ type: 'kill', targets: 'one' }],
      timeline: [{ at: '2200ms', type: 'pause', nodes: ['n3'] }],
    });
    const { plan, slots } = planAdaptive(nemesis, nodes, 6000, new Random(3), shippedFaults);
    const scheduled = planFaults({ ...nemesis, timeline: undefined }, nodes, 6000, new Random(3), shippedFaults);
    expect(plan.filter((f) => slots.has(f.id)).map((f) => [f.at, f.duration])).toEqual(scheduled.map((f) => [f.at, f.duration]));
    expect(plan.filter((f) => !slots.has(f.id))).toEqual([expect.objectContaining({ at: 2200, type: 'pause', nodes: ['n3'] })]);
    const chooser = new AdaptiveChooser({ specs, nodes, faults: shippedFaults, random: new Random(3), explore: 0 });
    for (const f of plan) if (!slots.has(f.id)) chooser.fixed(f);
    const first = chooser.choose(plan.find((f) => slots.has(f.id))!);
    chooser.observe({ index: 0, time: 1, process: 'nemesis', type: 'info', f: 'restart', value: { nodes: ['n1'] } });
    chooser.finish();
    expect(chooser.plan().map((f) => f.type)).toEqual([first.type, 'pause']);
    expect(chooser.decisions).toEqual([{ id: first.id, entry: expect.any(Number), target: expect.any(String), explored: false, reward: 1, gained: { restarts: 1 } }]);
  });
});
