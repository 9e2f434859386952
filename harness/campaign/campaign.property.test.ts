/**
 * Properties of the campaign loader: whatever a campaign file holds, loading it ends in a campaign
 * or a CampaignError whose problems are one line each; never another throw, never a hang.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { projectRoot } from '../descriptor.js';
import type { Workload } from '../../core/workload.js';
import { NO_OPTIONS } from '../../core/checker.js';
import { CampaignError, loadCampaign } from './load.js';
import type { Registries } from './registries.js';
import { shippedFaults } from '../faults/index.js';
import { campaignSchema } from './schema.js';

const FAULT_TYPES = shippedFaults.names;

const fakeSystem = join(projectRoot, 'harness', 'run', 'fixtures', 'fake-system.yaml');
const dir = mkdtempSync(join(tmpdir(), 'faultline-campaign-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny: Workload<{ keys: number }> = {
  name: 'tiny',
  description: 'test workload',
  apis: ['store'],
  options: z.strictObject({ keys: z.number().int().min(1).default(2) }),
  generator: () => ({ next: () => ({ f: 'read', key: 'k' }), final: () => [] }),
  client: async () => ({ invoke: async () => ({ type: 'ok' }), close: async () => undefined }),
};
const registries: Registries = {
  workloads: { tiny: tiny as Workload<unknown> },
  checkers: { perf: { name: 'perf', description: 'x', options: NO_OPTIONS, check: () => ({ checker: 'perf', valid: true, summary: '', anomalies: [] }) } },
};

type Outcome = { loaded: true } | { loaded: false; problems: string[] };

let n = 0;
/** Loads `text` as a campaign file; anything but a campaign or a CampaignError fails the property. */
async function load(text: string, sets: string[] = []): Promise<Outcome> {
  const file = join(dir, `p${n++}.yaml`);
  writeFileSync(file, text);
  try {
    await loadCampaign(file, { registries, sets, seed: 1 });
    return { loaded: true };
  } catch (err) {
    if (!(err instanceof CampaignError)) throw err;
    return { loaded: false, problems: err.problems.map((p) => p.message) };
  }
}

function expectOneLineProblems(outcome: Outcome): void {
  if (outcome.loaded) return;
  expect(outcome.problems.length).toBeGreaterThan(0);
  for (const message of outcome.problems) expect(message).not.toMatch(/\n/);
}

/** Sometimes a good value, sometimes anything at all. */
const either = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, fc.jsonValue({ maxDepth: 2 }));
const duration = either(fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.constantFrom('0', '1ms', '500ms', '2s', '1m', '25h', '24h', '-1s', 'soon')));
const fault = fc.dictionary(
  fc.constantFrom('type', 'shapes', 'mode', 'targets', 'nodes', 'ms', 'jitter', 'rate', 'timeout', 'links', 'at', 'duration', 'typo'),
  either(fc.oneof(fc.constantFrom(...FAULT_TYPES, 'partiton', 'halves', 'one', 'peers', 'n1', 'n9'), fc.integer({ min: -5, max: 2 ** 32 }), fc.array(fc.constantFrom('halves', 'n1', 'n2', 'bridge')))),
);
const campaignObject = fc.record(
  {
    name: either(fc.constantFrom('x', 'a/b', 'Bad Name')),
    description: either(fc.string()),
    system: either(fc.constantFrom(fakeSystem, 'raft', 'rafft', './missing.yaml', '')),
    nodes: either(fc.integer({ min: -2, max: 2 ** 31 })),
    settings: either(fc.record({ env: either(fc.dictionary(fc.string(), fc.string())), bugs: either(fc.array(fc.constantFrom('stale-reads', 'nope'))) }, { requiredKeys: [] })),
    workload: either(fc.record({ name: either(fc.constantFrom('tiny', 'regster', './missing.mjs')), options: either(fc.record({ keys: either(fc.integer()) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    clients: either(fc.record({ concurrency: either(fc.integer({ min: -1, max: 2000 })), rate: either(fc.double()), timeout: duration }, { requiredKeys: [] })),
    time_limit: duration,
    final: either(fc.record({ enabled: either(fc.boolean()), settle: duration, timeout: duration }, { requiredKeys: [] })),
    nemesis: either(
      fc.record(
        { interval: duration, duration: duration, start: duration, faults: either(fc.array(either(fault), { maxLength: 3 })), timeline: either(fc.array(either(fault), { maxLength: 3 })) },
        { requiredKeys: [] },
      ),
    ),
    monitor: either(fc.record({ interval: duration }, { requiredKeys: [] })),
    checkers: either(fc.array(either(fc.oneof(fc.constantFrom('perf', 'linearisable'), fc.record({ name: either(fc.constantFrom('perf', 'nope')), options: fc.jsonValue({ maxDepth: 1 }) }))), { maxLength: 3 })),
    seed: either(fc.integer({ min: -1, max: 2 ** 33 })),
    expected: either(fc.record({ verdict: either(fc.constantFrom('valid', 'invalid', 'maybe')), findings: either(fc.array(fc.string())) }, { requiredKeys: [] })),
    typo: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

describe('campaign loader properties', () => {
  it('random campaign objects load or give one-line problems, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(campaignObject, async (object) => {
        expectOneLineProblems(await load(stringify(object)));
      }),
      { numRuns: 300 },
    );
  });

  it('random YAML documents (any JSON value) load or give one-line problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        expectOneLineProblems(await load(stringify(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('random text loads or gives one-line problems (YAML syntax errors with their line)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200, unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', ']', '{', '}', '&a', '*a', '"', '#', '!', '\t', '\u0000') }), async (text) => {
        expectOneLineProblems(await load(text));
      }),
      { numRuns: 300 },
    );
  });

  it('random --set overrides on a good campaign load or give one-line problems naming the --set', async () => {
    const good = stringify({ system: fakeSystem, workload: { name: 'tiny' }, time_limit: '2s' });
    const path = fc.array(fc.oneof(fc.constantFrom(...Object.keys(campaignSchema.shape), 'interval', 'faults', 'timeout', '0'), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(path, fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('0', '[a]', '{type: kill}', '1e400', '25h')), async (segments, value) => {
        expectOneLineProblems(await load(good, [`${segments.join('.')}=${value}`]));
      }),
      { numRuns: 200 },
    );
  });

  it('an unknown YAML tag or directive is a problem with its line, not a warning on stderr', async () => {
    const outcome = await load('system: !T x\nworkload: {name: tiny}\n');
    expect(outcome).toEqual({ loaded: false, problems: [expect.stringMatching(/^YAML syntax error: Unresolved tag: !T/)] });
  });

  it('a YAML alias bomb is a one-line problem, not a throw', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const outcome = await load(bomb + '\n');
    expect(outcome.loaded).toBe(false);
    expectOneLineProblems(outcome);
  });
});
