/**
 * Campaigns defined in code against the shipped Raft store, each one vitest test: a shipped
 * workload and checkers, then our own workload, checker and fault (src/).
 */
import { describe, expect, it } from 'vitest';
import { defineCampaign, readHistory, runCampaign } from 'faultline';
import { campaignTest } from 'faultline/vitest';
import { ownWrites } from '../src/own-writes.js';
import { readsOwnWrites } from '../src/own-writes-checker.js';
import { slowLeader } from '../src/slow-leader.js';

const short = {
  nodes: 3,
  clients: { concurrency: 3, rate: 40, timeout: '1s' },
  time_limit: '3s',
  final: { settle: '500ms', timeout: '3s' },
} as const;

describe('raft, from code', () => {
  campaignTest(
    'the register workload stays linearizable under partitions',
    defineCampaign({
      name: 'example-raft-register',
      system: 'raft',
      ...short,
      workload: { name: 'register', options: { keys: 2 } },
      nemesis: { start: '500ms', interval: '500ms', duration: '1s', faults: [{ type: 'partition', shapes: ['isolate-leader'] }] },
      checkers: [{ name: 'linearizable', options: { model: 'kv' } }],
    }),
    { seed: 11, out: 'runs' },
  );

  it('our own workload, checker and fault: every process reads its own writes, through a slow leader and leader kills', async () => {
    const campaign = defineCampaign({
      name: 'example-own-writes',
      system: 'raft',
      ...short,
      workload: { name: ownWrites, options: { readRatio: 0.5 } },
      nemesis: {
        start: '500ms',
        interval: '500ms',
        duration: '1s',
        faults: [{ type: 'kill', targets: 'leader' }],
        timeline: [{ type: slowLeader, ms: 300, at: '1s', duration: '1s' }],
      },
      checkers: [readsOwnWrites, { name: 'linearizable', options: { model: 'kv' } }],
    });
    const result = await runCampaign(campaign, { seed: 12, out: 'runs' });
    expect(result).toBeValidRun();
    expect(result.results.map((r) => r.checker)).toEqual(['reads-own-writes', 'linearizable']);
    expect(result.results[0]!.summary).toMatch(/^[1-9]\d* reads of own keys, 0 wrong$/);
    // Our fault ran: it slowed the leader's links, and ended.
    const nemesis = readHistory(`${result.dir}/history.jsonl`).filter((op) => op.process === 'nemesis' && op.type === 'info');
    expect(nemesis.find((op) => op.f === 'start-slow-leader')).toMatchObject({ value: { ms: 300 } });
    expect(nemesis.find((op) => op.f === 'start-slow-leader')?.error).toBeUndefined();
    expect(nemesis.some((op) => op.f === 'stop-slow-leader' && op.error === undefined)).toBe(true);
  });

});
