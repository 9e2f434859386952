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
      'invalid campaign: FILE:5: checkers[0].options.modle: unknown option "modle" for checker linearizable; valid options: model, initial, timeLimitMs, timeLimit',
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
