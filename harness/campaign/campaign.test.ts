import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { projectRoot } from '../descriptor.js';
import type { Workload } from '../../core/workload.js';
import { defineChecker, NO_OPTIONS } from '../../core/checker.js';
import { fieldsAt } from '../../core/schema-fields.js';
import { CampaignError, loadCampaign } from './load.js';
import { campaignSchema } from './schema.js';
import type { Registries } from './registries.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const fakeSystem = join(fixtures, 'fake-system.yaml');
const fakeWorkload = join(fixtures, 'fake-workload.mjs');
const dir = mkdtempSync(join(tmpdir(), 'faultline-campaign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny: Workload<{ keys: number }> = {
  name: 'tiny',
  description: 'test workload',
  apis: ['store'],
  checkers: ['perf'],
  options: z.strictObject({ keys: z.number().int().min(1).default(2) }),
  generator: () => ({ next: () => ({ f: 'read', key: 'k' }), final: () => [] }),
  client: async () => ({ invoke: async () => ({ type: 'ok' }), close: async () => undefined }),
};
const registries: Registries = {
  workloads: { tiny: tiny as Workload<unknown> },
  checkers: {
    perf: { name: 'perf', description: 'x', options: NO_OPTIONS, check: () => ({ checker: 'perf', valid: true, summary: '', anomalies: [] }) },
    picky: defineChecker({
      name: 'picky',
      description: 'refuses options',
      options: z.strictObject({ limit: z.number().optional() }),
      check: () => ({ checker: 'picky', valid: true, summary: '', anomalies: [] }),
    }),
  },
};

let n = 0;
function campaignFile(text: string): string {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}

const good = (extra = ''): string => `name: good
system: ${fakeSystem}
workload:
  name: tiny
  options:
    keys: 3
clients:
  concurrency: 2
time_limit: 2s
nemesis:
  faults:
    - type: partition
      shapes: [halves]
${extra}`;

async function problemOf(text: string, sets: string[] = []): Promise<CampaignError> {
  const file = campaignFile(text);
  try {
    await loadCampaign(file, { registries, sets });
  } catch (err) {
    if (err instanceof CampaignError) return err;
    throw err;
  }
  throw new Error('the campaign loaded, but it should not have');
}

describe('loadCampaign', () => {
  it('loads a good campaign, fills defaults and resolves names', async () => {
    const c = await loadCampaign(campaignFile(good()), { registries, seed: 7 });
    expect(c.name).toBe('good');
    expect(c.seed).toBe(7);
    expect(c.nodes).toEqual(['n1', 'n2', 'n3']);
    expect(c.workload.name).toBe('tiny');
    expect(c.workloadOptions).toEqual({ keys: 3 });
    expect(c.spec.time_limit).toBe(2000);
    expect(c.spec.clients).toEqual({ concurrency: 2, rate: 0, timeout: 2000 });
    expect(c.spec.nemesis.faults[0]).toEqual({ type: 'partition', shapes: ['halves'], mode: 'drop' });
    expect(c.resolvedYaml).toMatch(/^seed: 7$/m);
  });

  it('applies --set overrides (numbers, lists, new fields) and names the --set in errors', async () => {
    const c = await loadCampaign(campaignFile(good()), {
      registries,
      sets: ['clients.concurrency=9', 'settings.bugs=[stale-reads]', 'nemesis.faults.0.mode=reject', 'time_limit=500ms'],
    });
    expect(c.spec.clients.concurrency).toBe(9);
    expect(c.spec.settings.bugs).toEqual(['stale-reads']);
    expect(c.spec.nemesis.faults[0]).toMatchObject({ mode: 'reject' });
    expect(c.spec.time_limit).toBe(500);
    const err = await problemOf(good(), ['clients.concurrency=lots']);
    expect(err.message).toContain('--set clients.concurrency=lots: clients.concurrency: expected number, got "lots"');
  });

  it('gives a random seed when none is set, and writes it into the resolved campaign', async () => {
    const c = await loadCampaign(campaignFile(good()), { registries });
    expect(Number.isInteger(c.seed)).toBe(true);
    expect(c.resolvedYaml).toContain(`seed: ${c.seed}`);
  });

  it('reads coverage minimums in expected and refuses an unknown count with its line and the valid names', async () => {
    const ok = await loadCampaign(campaignFile(good('expected:\n  verdict: valid\n  coverage: {leaderChanges: 3, rejoinsAfterBehind: 1}\n')), { registries });
    expect(ok.spec.expected).toEqual({ verdict: 'valid', coverage: { leaderChanges: 3, rejoinsAfterBehind: 1 } });
    const unknown = await problemOf(good('expected:\n  verdict: valid\n  coverage:\n    elections: 2\n'));
    expect(unknown.message).toMatch(/c\d+\.yaml:17: expected\.coverage\.elections: unknown field "elections"; valid fields: leaderChanges, terms, electionsWithoutWinner, restarts, rejoinsAfterBehind, opsAcrossLeaderChange/);
    const negative = await problemOf(good('expected:\n  verdict: valid\n  coverage: {restarts: -1}\n'));
    expect(negative.message).toMatch(/expected\.coverage\.restarts: .*>=0/);
  });

  it('reads the status monitor interval (default 200 ms) and its watch, and refuses one out of range, naming the line', async () => {
    const plain = await loadCampaign(campaignFile(good()), { registries });
    expect(plain.spec.monitor).toEqual({ interval: 200, watch: { interval: 10, duration: 2000 } });
    const watched = await loadCampaign(campaignFile(good('monitor: {watch: {interval: 2ms, duration: 0}}\n')), { registries });
    expect(watched.spec.monitor).toEqual({ interval: 200, watch: { interval: 2, duration: 0 } });
    const tooLong = await problemOf(good('monitor: {watch: {duration: 2m}}\n'));
    expect(tooLong.message).toMatch(/monitor\.watch\.duration: must be at most 60s/);
    const fast = await loadCampaign(campaignFile(good('monitor: {interval: 20ms}\n')), { registries });
    expect(fast.spec.monitor.interval).toBe(20);
    const tooFast = await problemOf(good('monitor:\n  interval: 1ms\n'));
    expect(tooFast.message).toMatch(/c\d+\.yaml:15: monitor\.interval: must be at least 10ms/);
    const notDuration = await problemOf(good('monitor: {interval: often}\n'));
    expect(notDuration.message).toMatch(/monitor\.interval: expected a duration/);
    const unknown = await problemOf(good('monitor: {period: 20ms}\n'));
    expect(unknown.message).toMatch(/:14: monitor\.period: unknown field "period"; valid fields: interval, watch$/m);
  });

  it('refuses an unknown system, naming file, line and field and the known systems', async () => {
    const err = await problemOf(good().replace(`system: ${fakeSystem}`, 'system: rafft'));
    expect(err.message).toMatch(/c\d+\.yaml:2: system: unknown system "rafft"; known systems: .*raft/);
  });

  it('refuses a field of the wrong type', async () => {
    const err = await problemOf(good().replace('concurrency: 2', 'concurrency: two'));
    expect(err.message).toMatch(/c\d+\.yaml:8: clients\.concurrency: expected number, got "two"/);
  });

  it('refuses an unknown field, listing the valid ones', async () => {
    const err = await problemOf(good().replace('concurrency: 2', 'concurency: 2'));
    expect(err.message).toMatch(/:8: clients\.concurency: unknown field "concurency"; valid fields: concurrency, rate, timeout/);
  });

  it('refuses an unknown workload, listing the valid ones', async () => {
    const err = await problemOf(good().replace('name: tiny', 'name: regster'));
    expect(err.message).toMatch(/:4: workload\.name: unknown workload "regster"; valid choices: tiny/);
  });

  it('checks workload options with the workload\'s own schema', async () => {
    const err = await problemOf(good().replace('keys: 3', 'keys: 0'));
    expect(err.message).toMatch(/:6: workload\.options\.keys: .*>=1/);
  });

  it('refuses an unknown bug, listing the system\'s bugs', async () => {
    const err = await problemOf(good('settings:\n  bugs: [stale-reads, split-brain]\n'));
    expect(err.message).toMatch(/:15: settings\.bugs\[1\]: unknown bug "split-brain" for fake; valid choices: stale-reads/);
  });

  it('refuses an unknown nemesis, listing the fault types', async () => {
    const err = await problemOf(good().replace('type: partition', 'type: partiton'));
    expect(err.message).toMatch(/:12: nemesis\.faults\[0\]\.type: unknown nemesis "partiton"; valid choices: partition, kill, power-loss, pause, latency/);
  });

  it('refuses a field a fault type does not have, listing that type\'s fields', async () => {
    const err = await problemOf(good().replace('shapes: [halves]', 'target: one'));
    expect(err.message).toMatch(/:13: nemesis\.faults\[0\]\.target: unknown field "target" for a partition fault; valid fields: type, shapes, mode$/m);
  });

  it('refuses an unknown partition shape, listing the shapes', async () => {
    const err = await problemOf(good().replace('shapes: [halves]', 'shapes: [thirds]'));
    expect(err.message).toMatch(/:13: nemesis\.faults\[0\]\.shapes\[0\]: "thirds" is not allowed; valid choices: halves, majorities-ring, majority-ring/);
  });

  it('refuses an unknown node in a timeline', async () => {
    const text = good().replace(/nemesis:[\s\S]*$/, 'nemesis:\n  timeline:\n    - {at: 1s, type: kill, nodes: [n9]}\n');
    const err = await problemOf(text);
    expect(err.message).toMatch(/:12: nemesis\.timeline\[0\]\.nodes\[0\]: unknown node "n9"; this campaign's nodes: n1, n2, n3/);
  });

  it('takes chosen links for a toxic fault, and refuses unknown nodes and empty choices in them', async () => {
    const links = (l: string) => good().replace(/nemesis:[\s\S]*$/, `nemesis:\n  timeline:\n    - {at: 1s, type: latency, ms: 50, links: ${l}}\n`);
    const loaded = await loadCampaign(campaignFile(links('{touching: [n1], peers: [[n2, n3]]}')), { registries });
    expect(loaded.spec.nemesis.timeline?.[0]).toMatchObject({ links: { touching: ['n1'], peers: [['n2', 'n3']] } });
    const err = await problemOf(links('{touching: [n9], peers: [[n2, n8]]}'));
    expect(err.message).toMatch(/:12: nemesis\.timeline\[0\]\.links\.touching\[0\]: unknown node "n9"/);
    expect(err.message).toMatch(/:12: nemesis\.timeline\[0\]\.links\.peers\[0\]\[1\]: unknown node "n8"/);
    expect((await problemOf(links('{}'))).message).toMatch(/nemesis\.timeline\[0\]\.links: name links with touching, clients or peers/);
    expect((await problemOf(links('{touching: [n1], to: [n2]}'))).message).toMatch(/links\.to: unknown field "to"; valid fields: touching, clients, peers/);
    expect((await problemOf(links('nodes'))).message).toMatch(/links: expected peers, clients, all, or chosen links like \{touching/);
  });

  it('refuses an unknown checker and bad checker options', async () => {
    const err = await problemOf(good('checkers:\n  - perf\n  - linearisable\n  - {name: picky, options: {limit: lots}}\n'));
    expect(err.message).toMatch(/:16: checkers\[1\]: unknown checker "linearisable"; valid choices: perf, picky/);
    expect(err.message).toMatch(/:17: checkers\[2\]\.options\.limit: checker picky: expected number, got "lots"/);
  });

  it('reports every mistake at once: unknown system, workload, checker, fault and bad fields, each with its line and choices', async () => {
    const text = good('checkers: [perf, linearisable]\nexpected: {verdict: maybe}\n')
      .replace(`system: ${fakeSystem}`, 'system: rafft')
      .replace('name: tiny', 'name: regster')
      .replace('concurrency: 2', 'concurrency: two')
      .replace('type: partition', 'type: partiton');
    const err = await problemOf(text);
    const lines = err.message.split('\n').slice(1).map((l) => l.trim());
    expect(lines).toEqual([
      expect.stringMatching(/c\d+\.yaml:8: clients\.concurrency: expected number, got "two"$/),
      expect.stringMatching(/c\d+\.yaml:12: nemesis\.faults\[0\]\.type: unknown nemesis "partiton"; valid choices: partition, kill, power-loss, pause, /),
      expect.stringMatching(/c\d+\.yaml:15: expected\.verdict: "maybe" is not allowed; valid choices: valid, invalid$/),
      expect.stringMatching(/c\d+\.yaml:2: system: unknown system "rafft"; known systems: .*raft/),
      expect.stringMatching(/c\d+\.yaml:4: workload\.name: unknown workload "regster"; valid choices: tiny$/),
      expect.stringMatching(/c\d+\.yaml:14: checkers\[1\]: unknown checker "linearisable"; valid choices: perf, picky$/),
    ]);
  });

  it('lists valid fields from the schema itself at every level', async () => {
    expect(fieldsAt(campaignSchema, [])).toEqual(Object.keys(campaignSchema.shape));
    expect(fieldsAt(campaignSchema, [])).toContain('monitor');
    expect(fieldsAt(campaignSchema, ['final'])).toEqual(['enabled', 'settle', 'timeout']);
    expect(fieldsAt(campaignSchema, ['checkers', 0])).toEqual(['name', 'options']);
    expect(fieldsAt(campaignSchema, ['nope'])).toEqual([]);
    const err = await problemOf(good('finale: {settle: 1s}\n'));
    expect(err.message).toMatch(/:14: finale: unknown field "finale"; valid fields: name, description, system, .*monitor, checkers, seed, expected$/m);
  });

  it('refuses a clients.timeout of 0 (every op would time out unseen)', async () => {
    const err = await problemOf(good().replace('concurrency: 2', 'concurrency: 2\n  timeout: 0'));
    expect(err.message).toMatch(/:9: clients\.timeout: must be more than 0$/m);
  });

  it('bounds every duration and count: interval + duration > 0, time_limit at most 24 h, plans and toxics bounded', async () => {
    const zero = await problemOf(good().replace('nemesis:', 'nemesis:\n  interval: 0\n  duration: 0'));
    expect(zero.message).toMatch(/nemesis\.interval: interval \+ duration must be more than 0/);
    expect(zero.problems).toHaveLength(1); // not also "would plan Infinity faults"
    const long = await problemOf(good().replace('time_limit: 2s', 'time_limit: 25h'));
    expect(long.message).toMatch(/:9: time_limit: must be at most 24h$/m);
    expect(long.problems).toHaveLength(1);
    expect((await problemOf(good().replace('time_limit: 2s', 'time_limit: 0'))).message).toMatch(/:9: time_limit: must be more than 0$/m);
    const dense = await problemOf(good().replace('time_limit: 2s', 'time_limit: 24h').replace('nemesis:', 'nemesis:\n  interval: 1ms\n  duration: 1ms'));
    expect(dense.message).toMatch(/nemesis: the nemesis would plan 43200000 faults in time_limit; at most 10000/);
    const huge = await problemOf(good().replace(/nemesis:[\s\S]*$/, 'nemesis:\n  timeline:\n    - {at: 1s, type: latency, ms: 3000000000}\n'));
    expect(huge.message).toMatch(/nemesis\.timeline\[0\]\.ms: .*2147483647/);
    expect((await problemOf(good('final: {timeout: 48h}\n'))).message).toMatch(/final\.timeout: must be at most 24h/);
    expect((await problemOf(good(), ['clients.rate=1e9'])).message).toMatch(/--set clients\.rate=1e9: clients\.rate: .*100000/);
    // At the bounds it loads.
    const edge = await loadCampaign(campaignFile(good().replace('time_limit: 2s', 'time_limit: 24h').replace('nemesis:', 'nemesis:\n  interval: 10s\n  duration: 10s')), { registries });
    expect(edge.spec.time_limit).toBe(86_400_000);
  });

  it('refuses bad YAML syntax, naming the line', async () => {
    const err = await problemOf('name: x\nsystem: fake\nworkload: {name: tiny\nclients:\n  concurrency: 2\n');
    expect(err.message).toMatch(/c\d+\.yaml:\d+: YAML syntax error/);
  });

  it('reports a missing required field at the nearest line', async () => {
    const err = await problemOf(`system: ${fakeSystem}\nclients:\n  concurrency: 2\n`);
    expect(err.message).toMatch(/workload: missing \(expected object\)/);
  });

  it('finds campaigns by name under campaigns/, subfolders included', async () => {
    const { findCampaignFile, listCampaignNames } = await import('./find.js');
    const names = listCampaignNames();
    const nested = names.find((n) => n.includes('/'));
    if (nested) expect(findCampaignFile(nested).name).toBe(nested);
    expect(() => findCampaignFile('no-such-campaign')).toThrow(/unknown campaign "no-such-campaign".*known campaigns/);
  });
});

describe('faultline run with a bad campaign', () => {
  const cli = join(projectRoot, 'bin', 'faultline.js');
  const cases: [string, string, RegExp][] = [
    ['unknown system', good().replace(`system: ${fakeSystem}`, 'system: nope'), /:2: system: unknown system "nope"/],
    ['bad field type', good().replace('time_limit: 2s', 'time_limit: [2]'), /:9: time_limit: /],
    ['unknown workload', good().replace('name: tiny', 'name: nope'), /:4: workload\.name: unknown workload "nope"; valid choices: /],
    ['unknown bug', good('settings:\n  bugs: [nope]\n'), /:15: settings\.bugs\[0\]: unknown bug "nope" for fake; valid choices: stale-reads/],
    ['unknown nemesis', good().replace('type: partition', 'type: nope'), /:12: nemesis\.faults\[0\]\.type: unknown nemesis "nope"; valid choices: /],
    ['bad YAML syntax', 'name: x\n  system: [fake\n', /:\d+: YAML syntax error/],
  ];
  for (const [kind, text, pattern] of cases) {
    it(`exits 3 on ${kind} with file, line and field`, () => {
      const file = campaignFile(text.replace('name: tiny', `name: ${fakeWorkload}`).replace('keys: 3', 'keys: 2'));
      const res = spawnSync(process.execPath, [cli, 'run', file, '--out', join(dir, 'runs')], { encoding: 'utf8', timeout: 30_000 });
      expect(res.status).toBe(3);
      expect(res.stderr).toContain(file);
      expect(res.stderr).toMatch(pattern);
      expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});
