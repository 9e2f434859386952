import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkers } from '../../checkers/index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFault, type FaultNetwork, type FaultRuntime } from '../../core/fault.js';
import { Random } from '../../core/random.js';
import { loadCampaign } from '../campaign/load.js';
import { projectRoot } from '../descriptor.js';
import { nemesisCatalog } from '../nemesis/catalog.js';
import { Nemesis } from '../nemesis/nemesis.js';
import { describeFault } from '../nemesis/plan.js';
import type { Network } from '../network/network.js';
import type { NewOp } from '../run/history.js';
import { planRun } from '../run/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { shippedFaults } from './index.js';
import { FaultRegistry } from './registry.js';

// A new kind of fault, written in this one file: nothing else in faultline knows of it.
const calls: string[] = [];
const diskFull = defineFault({
  name: 'disk-full',
  description: 'fills the disk of some nodes (a test fault)',
  options: z.strictObject({
    percent: z.number().int().min(1).max(100).default(95),
    count: z.number().int().min(1).default(1),
  }),
  plan: (options, { nodes, random }) => ({ percent: options.percent, nodes: random.shuffle(nodes).slice(0, options.count) }),
  describe: (p) => `disk-full ${p.nodes.join(' ')} at ${p.percent}%`,
  async start(fault, context) {
    const value = { nodes: fault.nodes, percent: fault.percent };
    const ok = await context.act('start-disk-full', value, fault.nodes[0], async () => void calls.push(`fill ${fault.nodes.join(' ')} ${fault.percent}`));
    return {
      describe: `disk-full ${fault.nodes.join(' ')}${ok ? '' : ' [failed]'}`,
      end: () => context.act('stop-disk-full', { nodes: fault.nodes }, fault.nodes[0], async () => void calls.push(`free ${fault.nodes.join(' ')}`)).then(() => undefined),
    };
  },
  style: { fill: 'rgba(0,128,0,0.1)', bar: '#80c080', legend: 'rgba(0,128,0,.3)' },
});

const faults = shippedFaults.withFaults([diskFull]);
const campaignFile = join(projectRoot, 'harness', 'run', 'fixtures', 'fake.yaml');
const load = (sets: string[], registry: FaultRegistry = faults) => loadCampaign(campaignFile, { registries: { workloads: {}, checkers, faults: registry }, seed: 5, sets });
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a fault module added in one file', () => {
  it('is read by the campaign schema: its options, their defaults, and typos refused with the valid fields', async () => {
    const campaign = await load(['nemesis.faults=[{type: disk-full, count: 2}]']);
    expect(campaign.spec.nemesis.faults).toEqual([{ type: 'disk-full', percent: 95, count: 2 }]);
    await expect(load(['nemesis.faults=[{type: disk-full, percnt: 50}]'])).rejects.toThrow(
      /unknown field "percnt" for a disk-full fault; valid fields: type, percent, count/,
    );
    await expect(load(['nemesis.faults=[{type: disk-full, percent: 101}]'])).rejects.toThrow(/nemesis\.faults\[0\]\.percent: Too big/);
    // Without it in the registry, the type is unknown and the valid ones are listed.
    await expect(load(['nemesis.faults=[{type: disk-full}]'], shippedFaults)).rejects.toThrow(/unknown nemesis "disk-full"; valid choices: partition, kill, power-loss, pause, latency, bandwidth, reset-peer, slicer, leader-after-heal, stale-candidate/);
  });

  it('is planned from the seed by its own module, the same way twice, and described in the plan', async () => {
    const sets = ['nemesis.faults=[{type: disk-full, count: 2}]', 'time_limit=2s'];
    const a = planRun(await load(sets));
    const b = planRun(await load(sets));
    expect(a.faults).toEqual(b.faults);
    expect(a.faults.length).toBeGreaterThan(1);
    for (const f of a.faults) {
      expect(f).toMatchObject({ type: 'disk-full', percent: 95 });
      expect(f.nodes).toHaveLength(2);
    }
    expect(describeFault(a.faults[0]!, faults)).toBe(`0.30s+0.50s disk-full ${(a.faults[0]!.nodes as string[]).join(' ')} at 95%`);
  });

  it('is started and ended by the nemesis, which records its ops', async () => {
    const campaign = await load(['nemesis.faults=[{type: disk-full}]', 'nemesis.start=0ms', 'nemesis.duration=30ms', 'nemesis.interval=1h']);
    const plan = planRun(campaign).faults;
    expect(plan).toHaveLength(1);
    const ops: NewOp[] = [];
    const events: string[] = [];
    calls.length = 0;
    const runtime: FaultRuntime = { kill: async () => {}, pause: async () => {}, resume: async () => {}, restart: async () => {}, waitHealthy: async () => {}, state: () => 'running' };
    const network: FaultNetwork = {
      select: () => [],
      partition: async () => {},
      heal: async () => {},
      latency: async () => {},
      bandwidth: async () => {},
      resetPeer: async () => {},
      slicer: async () => {},
      clearToxics: async () => {},
    };
    const nemesis = new Nemesis({
      plan,
      faults: campaign.faults,
      runtime: runtime as unknown as Runtime,
      network: network as unknown as Network,
      nodes: campaign.nodes,
      record: (op) => void ops.push(op),
      leader: () => undefined,
      random: new Random(1),
      healthTimeoutMs: 100,
      onEvent: (line) => events.push(line),
    });
    nemesis.start();
    await new Promise((r) => setTimeout(r, 150));
    await nemesis.healAll();
    const node = (plan[0]!.nodes as string[])[0]!;
    expect(calls).toEqual([`fill ${node} 95`, `free ${node}`]);
    expect(ops.map((o) => `${o.type} ${o.f}`)).toEqual(['invoke start-disk-full', 'info start-disk-full', 'invoke stop-disk-full', 'info stop-disk-full']);
    expect(ops[1]).toMatchObject({ process: 'nemesis', node, value: { nodes: [node], percent: 95 } });
    expect(events).toEqual([`nemesis: start-disk-full ${node}`, `nemesis: stop-disk-full ${node}`]);
  });

  it('is listed by `faultline list nemeses` and drawn in its colours by the report', () => {
    expect(nemesisCatalog(faults).find((f) => f.name === 'disk-full')?.description).toBe('fills the disk of some nodes (a test fault)');
    expect(nemesisCatalog(shippedFaults).some((f) => f.name === 'disk-full')).toBe(false);
    expect(faults.styles()['disk-full']).toEqual(diskFull.style);
    // kill and pause write kill/restart and pause/resume: their windows are named so; the faults
    // in two steps write the ops of their steps (partition first), so they add no kind of window.
    expect(Object.keys(shippedFaults.styles())).toEqual(['partition', 'kill', 'power-loss', 'pause', 'latency', 'bandwidth', 'reset-peer', 'slicer']);
  });

  it('a YAML campaign names a fault of its own by module path, written in JavaScript', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-fault-'));
    dirs.push(dir);
    const module = join(projectRoot, 'harness', 'faults', 'fixtures', 'skew-fault.mjs');
    const file = join(dir, 'skew.yaml');
    const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
    writeFileSync(
      file,
      [
        `system: ${join(fixtures, 'fake-system.yaml')}`,
        `workload: {name: ${join(fixtures, 'fake-workload.mjs')}}`,
        'time_limit: 2s',
        `nemesis: {start: 100ms, interval: 400ms, duration: 400ms, faults: [{type: ${module}, ms: 7}]}`,
        '',
      ].join('\n'),
    );
    const campaign = await loadCampaign(file, { registries: { workloads: {}, checkers }, seed: 3 });
    expect(campaign.spec.nemesis.faults).toEqual([{ type: module, ms: 7 }]);
    const plan = planRun(campaign).faults;
    expect(plan[0]).toMatchObject({ type: module, ms: 7 });
    expect(describeFault(plan[0]!, campaign.faults)).toMatch(/^0\.10s\+0\.40s skew n\d by 7ms$/);
    expect(campaign.faults.styles()['skew']).toEqual({ fill: 'rgba(1,2,3,0.1)', bar: '#010203', legend: 'rgba(1,2,3,.3)' });

    writeFileSync(file, `system: ${join(fixtures, 'fake-system.yaml')}\nworkload: {name: ${join(fixtures, 'fake-workload.mjs')}}\nnemesis:\n  faults:\n    - type: ./missing-fault.mjs\n`);
    await expect(loadCampaign(file, { registries: { workloads: {}, checkers } })).rejects.toThrow(
      new RegExp(`^invalid campaign: ${file}:5: nemesis\\.faults\\[0\\]\\.type: fault module .*missing-fault\\.mjs does not exist$`),
    );
  });
});
