import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../checkers/common/history-builder.js';
import { projectRoot } from '../harness/descriptor.js';
import { recheckRun } from '../harness/run/recheck.js';
import { killAll, startedNodes } from '../harness/run/testing.js';
import { composeCheckers, defineCampaign, defineChecker, runCampaign, type Checker, type CheckResult, type Workload } from './index.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const out = mkdtempSync(join(tmpdir(), 'faultline-compose-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

/** A checker that answers `valid` with one anomaly unless valid. */
const fixed = (name: string, valid: CheckResult['valid']): Checker =>
  defineChecker({
    name,
    description: `always ${String(valid)}`,
    check: () => ({ checker: name, valid, summary: `said ${String(valid)}`, anomalies: valid === true ? [] : [{ kind: `${name}-kind`, explanation: `${name} found it`, ops: [1] }] }),
  });

describe('composeCheckers', () => {
  it('merges verdicts, the worst wins (invalid > unknown > valid), and keeps every part\'s anomalies with the part that found it', async () => {
    const verdict = async (...parts: CheckResult['valid'][]) => (await composeCheckers({ name: 'c', checkers: parts.map((v, i) => fixed(`p${i}`, v)) }).check([], {})).valid;
    expect(await verdict(true, true)).toBe(true);
    expect(await verdict(true, 'unknown')).toBe('unknown');
    expect(await verdict('unknown', false, true)).toBe(false);
    expect(await verdict(false, 'unknown')).toBe(false);

    const r = await composeCheckers({ name: 'safety', checkers: [fixed('a', false), fixed('b', 'unknown'), fixed('c', true)] }).check([], {});
    expect(r.checker).toBe('safety');
    expect(r.anomalies).toEqual([
      { kind: 'a-kind', explanation: 'a found it', ops: [1], part: 'a' },
      { kind: 'b-kind', explanation: 'b found it', ops: [1], part: 'b' },
    ]);
    expect(r.summary).toBe('a INVALID: said false; b unknown: said unknown; c valid: said true');
    expect((r.details!.parts as CheckResult[]).map((p) => [p.checker, p.valid])).toEqual([['a', false], ['b', 'unknown'], ['c', true]]);
  });

  it('composes shipped checkers by name with their options, and a real history: linearizable finds what the other part does not', async () => {
    const h = new HistoryBuilder();
    h.call({ process: 0, f: 'write', key: 'x', value: 1, start: 0, end: 10 });
    h.call({ process: 1, f: 'read', key: 'x', result: 2, start: 20, end: 30 });
    const safety = composeCheckers({ name: 'safety', checkers: [{ checker: 'linearizable', options: { model: 'kv' } }, { checker: 'queue', options: { allowDuplicates: false } }] });
    const r = await safety.check(h.build(), {});
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => [a.part, a.kind])).toEqual([['linearizable', 'not-linearizable']]);
    // a campaign gives a part options under its name; its own schema checks them
    expect(safety.options.safeParse({ linearizable: { model: 'register' }, queue: { maxAnomalies: 2 } }).success).toBe(true);
    await expect(safety.check([], { linearizable: { modle: 'kv' } })).rejects.toThrow(/linearizable\.modle: unknown field "modle" for checker safety; valid fields: model, initial/);
    await expect(safety.check([], { perf: {} })).rejects.toThrow('unknown option "perf" for checker safety; valid options: linearizable, queue');
  });

  it('refuses what cannot be composed, at once', () => {
    expect(() => composeCheckers({ name: 'x', checkers: ['linearisable'] })).toThrow('composeCheckers(x): unknown checker "linearisable"; valid choices: linearizable, ');
    expect(() => composeCheckers({ name: 'x', checkers: ['perf', 'perf'] })).toThrow('composeCheckers(x): two parts named "perf"');
    expect(() => composeCheckers({ name: 'x', checkers: [{ checker: 'queue', options: { alowDuplicates: true } }] })).toThrow(
      'composeCheckers(x): unknown option "alowDuplicates" for checker queue; valid options: allowDuplicates, maxAnomalies',
    );
    expect(() => composeCheckers({ name: 'x', checkers: [] })).toThrow('composeCheckers(x): give it a list of checkers');
    const typed = defineChecker({ name: 't', description: 't', options: z.strictObject({ n: z.number().default(1) }), check: (_h, o) => ({ checker: 't', valid: o.n > 0, summary: '', anomalies: [] }) });
    expect(composeCheckers({ name: 'y', checkers: [typed] }).name).toBe('y');
  });
});

describe('a composed checker in a campaign', () => {
  const shortRun = {
    nodes: 3,
    clients: { concurrency: 3, rate: 100, timeout: '500ms' },
    time_limit: '1s',
    final: { settle: '100ms', timeout: '2s' },
  };
  const workload = async (): Promise<Workload<unknown>> => {
    const mod = (await import(pathToFileURL(join(fixtures, 'fake-workload.mjs')).href)) as { workload: Workload<unknown> };
    return mod.workload;
  };

  it('from code: one verdict row, the worst part\'s verdict, each anomaly with its part', async () => {
    const safety = (await import(pathToFileURL(join(fixtures, 'safety-checker.mjs')).href)) as { checker: Checker };
    const result = await runCampaign(defineCampaign({ name: 'compose-code', system: join(fixtures, 'fake-system.yaml'), workload: await workload(), ...shortRun, checkers: [safety.checker] }), { seed: 3, out });
    started.push(...startedNodes(result.dir).map((n) => n.pid));
    expect(result.results.map((r) => [r.checker, r.valid])).toEqual([['safety', false]]);
    expect(result.exitCode).toBe(1);
    expect(result.anomalies.length).toBeGreaterThan(0);
    expect(result.anomalies.every((a) => a.checker === 'safety' && a.part === 'no-reads' && a.kind === 'read-seen')).toBe(true);
    const parts = result.results[0]!.details!.parts as CheckResult[];
    expect(parts.map((p) => [p.checker, p.valid])).toEqual([['some-ok', true], ['no-reads', false], ['perf', true]]);
  }, 60_000);

  it('from YAML by module path: loaded, its options checked at load with file:line, run and re-checked from the run folder', async () => {
    const file = join(out, 'compose.yaml');
    const yaml = (options: string): string =>
      [`system: ${join(fixtures, 'fake-system.yaml')}`, `workload: {name: ${join(fixtures, 'fake-workload.mjs')}}`, 'nodes: 3', 'clients: {concurrency: 3, rate: 100, timeout: 500ms}', 'time_limit: 1s', 'final: {settle: 100ms, timeout: 2s}', 'checkers:', `  - name: ${join(fixtures, 'safety-checker.mjs')}`, `    options: ${options}`, ''].join('\n');
    writeFileSync(file, yaml('{perf: {maxP99Mss: 5}}'));
    await expect(runCampaign(file, { out })).rejects.toThrow(`${file}:9: checkers[0].options.perf.maxP99Mss: unknown field "maxP99Mss" for checker safety; valid fields: bucketMs, `);
    writeFileSync(join(out, 'missing.yaml'), yaml('{}').replace('safety-checker.mjs', 'nope.mjs'));
    await expect(runCampaign(join(out, 'missing.yaml'), { out })).rejects.toThrow(/missing\.yaml:8: checkers\[0\]\.name: checker module .*nope\.mjs does not exist/);

    writeFileSync(file, yaml('{perf: {maxP99Ms: 60000}}'));
    const result = await runCampaign(file, { seed: 4, out });
    started.push(...startedNodes(result.dir).map((n) => n.pid));
    expect(result.results.map((r) => [r.checker, r.valid])).toEqual([['safety', false]]);
    expect(result.anomalies[0]).toMatchObject({ checker: 'safety', part: 'no-reads', kind: 'read-seen' });
    const again = await recheckRun(result.dir);
    expect(again.results.map((r) => [r.checker, r.valid])).toEqual([['safety', false]]);
  }, 90_000);
});
