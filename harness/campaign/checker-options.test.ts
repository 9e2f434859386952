import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../descriptor.js';
import { loadCampaign } from './load.js';
import { defaultRegistries } from './registries.js';
import type { Checker } from '../../core/checker.js';
import type { Op } from '../../core/op.js';
import { runCheckers } from '../run/check.js';
import { listCatalog } from '../catalog.js';

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
      'invalid campaign: FILE:5: checkers[0].options.modle: unknown option "modle" for checker linearizable; valid options: model, initial, timeLimitMs, timeLimit, memoryLimitMb, threads',
    );
    expect(await loadWith(['  - name: linearizable', '    options:', '      timeLimitMS: 1000'])).toMatch(/^invalid campaign: FILE:6: checkers\[0\]\.options\.timeLimitMS: unknown option "timeLimitMS" for checker linearizable/);
    expect(await loadWith(['  - name: linearizable', '    options: {model: regster}'])).toMatch(/checkers\[0\]\.options\.model: .*expected register, cas-register, kv or a Model/);
    expect(await loadWith(['  - name: linearizable', '    options: {model: kv, timeLimitMs: 500}'])).toBe('loaded');
  });

  it('linearizable takes `threads` (1 to 1024, whole) as `faultline check --threads`; a bad count is refused with file:line', async () => {
    expect(await loadWith(['  - name: linearizable', '    options: {threads: 0}'])).toMatch(/^invalid campaign: FILE:5: checkers\[0\]\.options\.threads: checker linearizable: .*>=1$/);
    expect(await loadWith(['  - name: linearizable', '    options:', '      threads: 1.5'])).toMatch(/^invalid campaign: FILE:6: checkers\[0\]\.options\.threads: checker linearizable: .*int/);
    expect(await loadWith(['  - name: linearizable', '    options: {threads: 2000}'])).toMatch(/^invalid campaign: FILE:5: checkers\[0\]\.options\.threads: .*<=1024$/);
    expect(await loadWith(['  - name: linearizable', '    options: {threads: two}'])).toMatch(/^invalid campaign: FILE:5: checkers\[0\]\.options\.threads: checker linearizable: expected number, got "two"$/);
    expect(await loadWith(['  - name: linearizable', '    options: {model: kv, threads: 2}'])).toBe('loaded');
  });

  // Workers start only from compiled code (dist/, as `npm test` builds it first).
  it.skipIf(!existsSync(join(projectRoot, 'dist', 'checkers', 'linearizability', 'worker.js')))('a campaign\'s `threads` is honoured by the run\'s checker: 1 keeps the search on one thread, 2 adds a worker', async () => {
    const { checkers } = (await import(pathToFileURL(join(projectRoot, 'dist', 'checkers', 'index.js')).href)) as typeof import('../../checkers/index.js');
    // four register keys, on each 30 concurrent ops: writes, reads of what they wrote, and one read
    // of a value none wrote: each search takes millions of steps, so a worker started after 50 ms
    // has keys left to claim
    const hard: Op[] = [];
    const n = 30;
    for (let k = 0; k < 4; k++) {
      for (let p = 0; p < n; p++) hard.push({ index: 0, time: 0, process: k * 100 + p, type: 'invoke', f: p % 2 ? 'read' : 'write', key: `k${k}`, value: p % 2 ? null : p });
      for (let p = 0; p < n; p++) hard.push({ index: 0, time: 0, process: k * 100 + p, type: 'ok', f: p % 2 ? 'read' : 'write', key: `k${k}`, value: p % 2 ? (p === n - 1 ? 999 : p - 1) : p });
    }
    hard.forEach((o, i) => Object.assign(o, { index: i, time: i }));
    const threadsFor = async (threads: number, timeLimitMs: number): Promise<unknown> => {
      const file = join(dir, `t${threads}.yaml`);
      writeFileSync(file, [`system: ${join(fixtures, 'fake-system.yaml')}`, `workload: {name: ${join(fixtures, 'fake-workload.mjs')}}`, 'checkers:', '  - name: linearizable', `    options: {model: register, timeLimitMs: ${timeLimitMs}, threads: ${threads}}`, ''].join('\n'));
      const campaign = await loadCampaign(file, { registries: defaultRegistries() });
      const [result] = await runCheckers(hard, campaign.checkers, checkers);
      expect(result?.checker).toBe('linearizable');
      expect(result?.valid).not.toBe(true); // not linearizable, or unknown when the budget ran out first
      return result!.details!['threads'];
    };
    expect(await threadsFor(1, 300)).toBe(1); // the default on this machine would start a worker (os.availableParallelism() > 1)
    expect(await threadsFor(2, 3000)).toBe(2);
  });

  // Each shipped checker: a misspelt option (file:line, the valid names from its schema), a wrong type, and good options.
  const cases: { name: string; valid: string; wrongType: [string, RegExp]; good: string }[] = [
    { name: 'queue', valid: 'allowDuplicates, maxAnomalies', wrongType: ['{allowDuplicates: yes}', /options\.allowDuplicates: checker queue: expected boolean, got "yes"$/], good: '{allowDuplicates: false, maxAnomalies: 5}' },
    { name: 'ordering', valid: 'checks, maxAnomalies', wrongType: ['{checks: [gapfree]}', /options\.checks\[0\]: checker ordering: "gapfree" is not allowed; valid choices: total-order, gap-free, /], good: '{checks: [total-order, gap-free]}' },
    { name: 'consistency', valid: 'checks, maxAnomalies, divergenceGraceMs', wrongType: ['{divergenceGraceMs: soon}', /options\.divergenceGraceMs: checker consistency: expected number, got "soon"$/], good: '{checks: [stale-read], divergenceGraceMs: 500}' },
    { name: 'invariants', valid: 'leaderRole, monotonicTerms, maxAnomalies', wrongType: ['{monotonicTerms: 1}', /options\.monotonicTerms: checker invariants: expected boolean, got number 1$/], good: '{leaderRole: Leader, monotonicTerms: true}' },
    { name: 'perf', valid: 'bucketMs, minAvailability, minAvailabilityOutsideFaults, minAvailabilityInsideFaults, maxP99Ms', wrongType: ['{maxP99Ms: fast}', /options\.maxP99Ms: checker perf: expected number, got "fast"$/], good: '{minAvailabilityOutsideFaults: 0.9, maxP99Ms: 200}' },
    { name: 'agreement', valid: 'maxAnomalies', wrongType: ['{maxAnomalies: many}', /options\.maxAnomalies: checker agreement: expected number, got "many"$/], good: '{maxAnomalies: 3}' },
    { name: 'set', valid: 'maxAnomalies', wrongType: ['{maxAnomalies: 0}', /options\.maxAnomalies: checker set: .*>=1$/], good: '{maxAnomalies: 3}' },
  ];
  for (const c of cases) {
    it(`${c.name} refuses a misspelt option with file:line and the valid names, names a wrong type, and takes good options`, async () => {
      expect(await loadWith([`  - name: ${c.name}`, '    options:', '      maxAnomalys: 3'])).toBe(
        `invalid campaign: FILE:6: checkers[0].options.maxAnomalys: unknown option "maxAnomalys" for checker ${c.name}; valid options: ${c.valid}`,
      );
      expect(await loadWith([`  - name: ${c.name}`, `    options: ${c.wrongType[0]}`])).toMatch(new RegExp(`^invalid campaign: FILE:5: checkers\\[0\\]\\.${c.wrongType[1].source}`));
      expect(await loadWith([`  - name: ${c.name}`, `    options: ${c.good}`])).toBe('loaded');
    });
  }

  it('coverage takes no options; its former `min` is refused at load with where minimums went', async () => {
    expect(await loadWith(['  - name: coverage', '    options: {min: {leaderChanges: 1}}'])).toBe(
      "invalid campaign: FILE:5: checkers[0].options.min: unknown option \"min\" for checker coverage; valid options: (none); min moved to the campaign's expectation: write expected: {verdict: valid, coverage: {leaderChanges: 3}}",
    );
    expect(await loadWith(['  - coverage'])).toBe('loaded');
  });

  it('refuses a checker value without an options schema (a JavaScript object), before it runs', async () => {
    const checkers = { ...defaultRegistries().checkers, bare: { name: 'bare', description: 'no schema', check: () => ({ checker: 'bare', valid: true as const, summary: '', anomalies: [] }) } as unknown as Checker };
    const file = join(dir, 'bare.yaml');
    writeFileSync(file, [`system: ${join(fixtures, 'fake-system.yaml')}`, `workload: {name: ${join(fixtures, 'fake-workload.mjs')}}`, 'checkers: [bare]', ''].join('\n'));
    await expect(loadCampaign(file, { registries: { ...defaultRegistries(), checkers } })).rejects.toThrow(/:3: checkers\[0\]: checker bare declares no options schema/);
  });

  it('`faultline list checkers` lists each checker\'s options from its schema', () => {
    const lines = listCatalog('checkers');
    expect(lines.find((l) => l.name === 'queue')?.description).toMatch(/ options: allowDuplicates, maxAnomalies$/);
    expect(lines.find((l) => l.name === 'linearizable')?.description).toMatch(/ options: model, initial, timeLimitMs, timeLimit, memoryLimitMb, threads$/);
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
