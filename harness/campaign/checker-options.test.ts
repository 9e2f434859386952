import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../descriptor.js';
import { loadCampaign } from './load.js';
import { defaultRegistries } from './registries.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-checker-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');

/** A campaign file whose checkers section is `checkers` (YAML lines); loaded with the shipped checkers. */
async function loadWith(checkers: string[]): Promise<string> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, [`system: ${join(fixtures, 'fake-system.yaml')}`, `workload: {name: ${join(fixtures, 'fake-workload.mjs')}}`, 'checkers:', ...checkers, ''].join('\n'));
  try {
    await loadCampaign(file, { registries: defaultRegistries() });
    return 'loaded';
  } catch (err) {
    return (err as Error).message.replaceAll(file, 'FILE');
  }
}

describe('checker options are checked at load, before any node starts', () => {
  it('linearizable refuses a misspelt option with file:line and the valid names', async () => {
    expect(await loadWith(['  - name: linearizable', '    options: {modle: kv}'])).toBe(
      'invalid campaign: FILE:5: checkers[0].options.modle: unknown option "modle" for checker linearizable; valid options: model, initial, timeLimitMs, timeLimit, memoryLimitMb',
    );
    expect(await loadWith(['  - name: linearizable', '    options:', '      timeLimitMS: 1000'])).toMatch(/^invalid campaign: FILE:6: checkers\[0\]\.options\.timeLimitMS: unknown option "timeLimitMS" for checker linearizable/);
    expect(await loadWith(['  - name: linearizable', '    options: {model: regster}'])).toMatch(/checkers\[0\]\.options\.model: .*expected register, cas-register, kv or a Model/);
    expect(await loadWith(['  - name: linearizable', '    options: {model: kv, timeLimitMs: 500}'])).toBe('loaded');
  });

  it('every other shipped checker refuses a misspelt option too', async () => {
    for (const name of ['queue', 'ordering', 'consistency', 'invariants', 'perf', 'agreement', 'set']) {
      expect(await loadWith([`  - name: ${name}`, '    options: {maxAnomalys: 3}'])).toMatch(new RegExp(`checkers\\[0\\]\\.options.*maxAnomalys`));
    }
  });
});

describe("a workload's default checkers", () => {
  const registerCampaign = (checkers: string[]): string => {
    const file = join(dir, `r${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, ['system: raft', 'workload: {name: register}', ...checkers, ''].join('\n'));
    return file;
  };
  const linearizable = { name: 'linearizable', options: { model: 'kv', timeLimitMs: 15_000 } };

  it('run when the campaign names no checkers, and `defaults` adds to them', async () => {
    const none = await loadCampaign(registerCampaign([]), { registries: defaultRegistries() });
    expect(none.checkers).toEqual([linearizable]);
    expect(none.resolvedYaml).toMatch(/checkers:\n\s+- name: linearizable/);
    const more = await loadCampaign(registerCampaign(['checkers: [perf, defaults]']), { registries: defaultRegistries() });
    expect(more.checkers).toEqual([{ name: 'perf', options: {} }, linearizable]);
    const own = await loadCampaign(registerCampaign(['checkers: [{name: linearizable, options: {model: kv}}]']), { registries: defaultRegistries() });
    expect(own.checkers).toEqual([{ name: 'linearizable', options: { model: 'kv' } }]);
  });

  it('the shipped register campaigns run linearizable through `defaults`', async () => {
    const smoke = await loadCampaign('raft-smoke', { registries: defaultRegistries() });
    expect(smoke.checkers[0]).toEqual(linearizable);
  });

  it('the queue and chat workloads bring their own checker, and their shipped campaigns use it', async () => {
    for (const [name, checker] of [['queue', 'queue'], ['chat', 'ordering']] as const) {
      const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, [`system: ${name}`, `workload: {name: ${name}}`, ''].join('\n'));
      const none = await loadCampaign(file, { registries: defaultRegistries() });
      expect(none.checkers.map((c) => c.name)).toEqual([checker]);
      const shipped = await loadCampaign(`${name}-partitions`, { registries: defaultRegistries() });
      expect(shipped.checkers.map((c) => c.name)).toEqual([checker, 'perf']);
    }
  });
});
