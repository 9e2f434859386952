import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkers } from '../../checkers/index.js';
import { loadCampaign } from '../campaign/load.js';
import { projectRoot } from '../descriptor.js';
import { shippedFaults } from '../faults/index.js';
import { describeFault } from '../nemesis/plan.js';
import { planRun } from './plan.js';

const campaignFile = join(projectRoot, 'harness', 'run', 'fixtures', 'fake.yaml');
const registries = { workloads: {}, checkers };
const load = (seed: number, sets: string[] = []) => loadCampaign(campaignFile, { registries, seed, sets });

describe('planRun', () => {
  it('same campaign and seed give the same op mix and fault schedule', async () => {
    const a = planRun(await load(1234));
    const b = planRun(await load(1234));
    expect(a).toEqual(b);
    expect(a.faults.length).toBeGreaterThan(2);
    expect(Object.keys(a.ops)).toHaveLength(4);
    expect(a.ops[0]!.length).toBe(20);
  });

  it('another seed gives another plan', async () => {
    const a = planRun(await load(1));
    const b = planRun(await load(2));
    expect(a.ops).not.toEqual(b.ops);
    expect(a.faults.map((f) => describeFault(f, shippedFaults))).not.toEqual(b.faults.map((f) => describeFault(f, shippedFaults)));
  });

  it('schedules faults every duration + interval until the time limit, targets fixed by the seed', async () => {
    const plan = planRun(await load(99, ['nemesis.faults=[{type: kill, targets: majority}]', 'time_limit=3s']));
    // start 300 ms, then every 500 + 300 ms: 300, 1100, 1900, 2700
    expect(plan.faults.map((f) => f.at)).toEqual([300, 1100, 1900, 2700]);
    for (const f of plan.faults) {
      expect(f.type).toBe('kill');
      if (f.type === 'kill') expect(f.nodes).toHaveLength(2);
    }
  });

  it('faultline run --plan prints the same plan for the same seed, another for another seed', () => {
    const cli = join(projectRoot, 'bin', 'faultline.js');
    const plan = (seed: number) => spawnSync(process.execPath, [cli, 'run', campaignFile, '--seed', String(seed), '--plan'], { encoding: 'utf8', timeout: 30_000 });
    const a = plan(11);
    const b = plan(11);
    const c = plan(12);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^seed 11\nfaults:\n  0\.30s\+0\.50s /);
    expect(a.stdout).toMatch(/first ops per process:\n  0: (read|write) k/);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('follows an explicit timeline', async () => {
    const plan = planRun(
      await load(5, [
        'nemesis={timeline: [{at: 2s, type: pause, nodes: [n2], duration: 1s}, {at: 500ms, type: partition, shapes: [isolate-one], mode: reject}]}',
      ]),
    );
    expect(plan.faults.map((f) => describeFault(f, shippedFaults))).toEqual([
      expect.stringMatching(/^0\.50s\+3\.00s partition isolate-one \(reject\): /),
      '2.00s+1.00s pause n2',
    ]);
  });

  it('runs a timeline on top of a drawn schedule, numbering the faults in the order they start', async () => {
    const plan = planRun(
      await load(7, [
        'time_limit=3s',
        'nemesis={start: 300ms, interval: 300ms, duration: 500ms, faults: [{type: pause, targets: leader}], timeline: [{at: 0s, duration: 3s, type: latency, ms: 10, jitter: 10}, {at: 1s, type: kill, nodes: [n1]}]}',
      ]),
    );
    expect(plan.faults.map((f) => describeFault(f, shippedFaults))).toEqual([
      '0.00s+3.00s latency 10ms±10 on peers links',
      '0.30s+0.50s pause leader',
      '1.00s+0.50s kill n1',
      '1.10s+0.50s pause leader',
      '1.90s+0.50s pause leader',
      '2.70s+0.50s pause leader',
    ]);
    expect(plan.faults.map((f) => f.id)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('describes chosen links', async () => {
    const plan = planRun(await load(7, ['nemesis={timeline: [{at: 1s, type: slicer, links: {touching: [n1], clients: [n2], peers: [[n2, n3]]}}]}']));
    expect(plan.faults.map((f) => describeFault(f, shippedFaults))).toEqual([
      '1.00s+3.00s slicer 16±8 bytes every 1000µs on links touching n1; client links of n2; peer links n2->n3',
    ]);
  });
});
