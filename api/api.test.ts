import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { z } from 'zod';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadCampaign } from '../harness/campaign/load.js';
import { defaultRegistries } from '../harness/campaign/registries.js';
import { projectRoot } from '../harness/descriptor.js';
import { killAll, startedNodes } from '../harness/run/testing.js';
import {
  CampaignError,
  checkHistory,
  defineCampaign,
  defineChecker,
  defineFault,
  formatRunResult,
  ParseError,
  readHistory,
  registerModel,
  runCampaign,
  type Checker,
  type Model,
  type Op,
  type Workload,
  UserError,
} from './index.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const fakeSystem = join(fixtures, 'fake-system.yaml');
const out = mkdtempSync(join(tmpdir(), 'faultline-api-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

/** The engine tests' register workload (reads and writes through the proxies), under a new name. */
async function fakeWorkload(): Promise<Workload<unknown>> {
  const mod = (await import(pathToFileURL(join(fixtures, 'fake-workload.mjs')).href)) as { workload: Workload<unknown> };
  return { ...mod.workload, name: 'api-register' };
}

/** Counts client ops; invalid when there are none. */
const counting: Checker = defineChecker({
  name: 'api-counting',
  description: 'counts client ops',
  check(history: readonly Op[]) {
    const ops = history.filter((o) => typeof o.process === 'number' && o.type === 'ok').length;
    return {
      checker: 'api-counting',
      valid: ops > 0,
      summary: `${ops} ok ops`,
      anomalies: ops > 0 ? [] : [{ kind: 'no-ops', explanation: 'no operation completed', ops: [] }],
    };
  },
});

/** A fault of the test's own: records its start and stop, touches nothing. */
const marker = defineFault({
  name: 'api-marker',
  description: 'marks the history',
  options: z.strictObject({ label: z.string().default('here') }),
  plan: (options) => ({ label: options.label }),
  describe: (planned) => `api-marker ${planned.label}`,
  async start(fault, context) {
    await context.act('start-api-marker', { label: fault.label }, undefined, async () => undefined);
    return { describe: 'api-marker', end: async () => void (await context.act('stop-api-marker', {}, undefined, async () => undefined)) };
  },
  style: { fill: 'rgba(0,0,0,0.1)', bar: '#000000', legend: 'rgba(0,0,0,.3)' },
});

const shortRun = {
  nodes: 3,
  clients: { concurrency: 3, rate: 100, timeout: '500ms' },
  time_limit: '1s',
  final: { settle: '100ms', timeout: '2s' },
  nemesis: { start: '200ms', interval: '200ms', duration: '300ms', faults: [{ type: 'partition' as const, shapes: ['halves' as const] }] },
};

describe('defineCampaign', () => {
  it('gives the same errors as the same campaign in YAML, naming the campaign where a file names its line', async () => {
    const fields = {
      name: 'api-bad',
      system: fakeSystem,
      workload: { name: 'register', options: { keyz: 3 } },
      clients: { concurrency: 'lots' },
      nemsis: {},
      checkers: ['linearizable', 'nosuch'],
    };
    const file = join(out, 'bad.yaml');
    writeFileSync(file, stringify(fields));
    const fromYaml = await loadCampaign(file, { registries: await defaultRegistries() }).catch((e: unknown) => e);
    // @ts-expect-error: the fields are wrong on purpose (concurrency is not a number, nemsis is no field)
    const fromObject = await runCampaign(defineCampaign(fields), { out }).catch((e: unknown) => e);
    expect(fromYaml).toBeInstanceOf(CampaignError);
    expect(fromObject).toBeInstanceOf(CampaignError);
    const problems = (e: unknown, where: string): string[] =>
      (e as CampaignError).message.split('\n').slice(1).map((l) => l.trim().replace(where, 'WHERE'));
    const yamlProblems = problems(fromYaml, new RegExp(`^${file}:\\d+`).source);
    const objectProblems = problems(fromObject, 'defineCampaign(api-bad)');
    expect(objectProblems).toEqual(yamlProblems.map((l) => l.replace(/^[^:]+:\d+/, 'WHERE')));
    expect(objectProblems).toContain('WHERE: clients.concurrency: expected number, got "lots"');
    expect(objectProblems.some((l) => l.startsWith('WHERE: nemsis: unknown field "nemsis"'))).toBe(true);
  });

  it('refuses an own workload or fault that takes a shipped name, and two different checkers of the same name', async () => {
    const own = { ...(await fakeWorkload()), name: 'register' };
    await expect(runCampaign(defineCampaign({ system: fakeSystem, workload: own }))).rejects.toThrow(
      'defineCampaign: your workload "register" has the name of a shipped workload; give it another name',
    );
    await expect(runCampaign(defineCampaign({ system: fakeSystem, workload: 'register', nemesis: { faults: [{ type: { ...marker, name: 'kill' } }] } }))).rejects.toThrow(
      'defineCampaign: your fault "kill" has the name of a shipped fault; give it another name',
    );
    const a = await fakeWorkload();
    expect(() => defineCampaign({ system: fakeSystem, workload: a, checkers: [counting, { ...counting }] })).toThrow(
      'defineCampaign: two different checkers named "api-counting"',
    );
  });
});

describe('runCampaign', () => {
  it('runs a campaign defined in code with its own workload, checker and fault, quietly, and says how to replay it', async () => {
    const campaign = defineCampaign({
      name: 'api-own',
      system: fakeSystem,
      workload: { name: await fakeWorkload(), options: { keys: 2 } },
      ...shortRun,
      nemesis: { ...shortRun.nemesis, timeline: [{ type: marker, label: 'mid-run', at: '300ms', duration: '200ms' }] },
      checkers: [counting, { name: 'linearizable', options: { model: 'kv' } }],
    });
    const stderr = vi.spyOn(process.stderr, 'write');
    const result = await runCampaign(campaign, { seed: 42, out });
    const written = stderr.mock.calls.map((c) => String(c[0])).join('');
    stderr.mockRestore();
    started.push(...startedNodes(result.dir).map((n) => n.pid));
    expect(written).not.toMatch(/toxiproxy|starting 3 fake nodes|partition/);

    // The fake nodes each keep their own store: linearizable finds that, the own checker does not.
    expect(result).toMatchObject({ valid: false, verdict: 'invalid', exitCode: 1, meetsExpectation: false, seed: 42, campaign: 'api-own' });
    expect(result.results.map((r) => [r.checker, r.valid])).toEqual([['api-counting', true], ['linearizable', false]]);
    expect(result.anomalies.every((a) => a.checker === 'linearizable')).toBe(true);
    expect(result.results[0]!.summary).toMatch(/^\d+ ok ops$/);
    expect(result.dir.startsWith(join(out, 'api-own'))).toBe(true);
    const history = readFileSync(join(result.dir, 'history.jsonl'), 'utf8');
    expect(history).toContain('"f":"start-partition"');
    expect(history).toMatch(/"f":"start-api-marker","value":\{"label":"mid-run"\}/);
    expect(history).toContain('"f":"stop-api-marker"');
    expect(JSON.parse(readFileSync(join(result.dir, 'results.json'), 'utf8'))).toMatchObject({ seed: 42, valid: false, replay: result.replay });
    expect(existsSync(join(result.dir, 'report.html'))).toBe(true);
    // its own workload, checker and fault are values, which the CLI cannot load: the replay is a call
    expect(result.replay).toBe(
      'runCampaign(campaign, { seed: 42 }) with campaign "api-own" (its own workload api-register, its own checker api-counting, its own fault api-marker are values, not a module: named by module path, `npx faultline run <run folder>/campaign.yaml` replays it)',
    );
    expect(formatRunResult(result)).toMatch(/api-counting\s+valid\s+\d+ ok ops[\s\S]*verdict: INVALID[\s\S]*replay: runCampaign/);
  });

  it('runs a campaign file by name or path with progress to a stream, and finds anomalies (not an error)', async () => {
    const progress = new PassThrough();
    let text = '';
    progress.on('data', (c: Buffer) => (text += c.toString()));
    const result = await runCampaign(join(fixtures, 'fake.yaml'), {
      seed: 5,
      timeLimit: '1s',
      out,
      progress: progress as unknown as NodeJS.WriteStream,
    });
    started.push(...startedNodes(result.dir).map((n) => n.pid));
    expect(text).toMatch(/starting 3 fake nodes/);
    // fake.yaml names no checkers; the fake nodes each keep their own store.
    expect(result.valid).toBe(true);
    expect(result.replay).toBe(`npx faultline run ${join(fixtures, 'fake.yaml')} --seed 5 --time-limit 1s --out ${out}`);

    const bad = await runCampaign(
      defineCampaign({ name: 'api-invalid', system: fakeSystem, workload: { name: join(fixtures, 'fake-workload.mjs') }, ...shortRun, checkers: [{ name: 'linearizable', options: { model: 'kv' } }] }),
      { seed: 3, out },
    );
    started.push(...startedNodes(bad.dir).map((n) => n.pid));
    expect(bad).toMatchObject({ valid: false, verdict: 'invalid', exitCode: 1, meetsExpectation: false });
    expect(bad.anomalies[0]).toMatchObject({ checker: 'linearizable', kind: 'not-linearizable' });
    expect(formatRunResult(bad)).toMatch(/anomalies:\n {2}\[linearizable\] not-linearizable/);
  });

  it('a run short of an expected coverage minimum is valid but does not meet its expectation; an unknown count is refused', async () => {
    const unknown = await runCampaign(
      // @ts-expect-error: no such count
      defineCampaign({ name: 'api-cov-bad', system: fakeSystem, workload: await fakeWorkload(), expected: { verdict: 'valid', coverage: { elections: 1 } } }),
      { out },
    ).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(CampaignError);
    expect((unknown as Error).message).toContain('expected.coverage.elections: unknown field "elections"; valid fields: leaderChanges, terms, electionsWithoutWinner, restarts, rejoinsAfterBehind, opsAcrossLeaderChange');
    const campaign = defineCampaign({
      name: 'api-cov',
      system: fakeSystem,
      workload: await fakeWorkload(),
      ...shortRun,
      nemesis: { faults: [] },
      checkers: [counting],
      expected: { verdict: 'valid', coverage: { restarts: 1 } },
    });
    const result = await runCampaign(campaign, { seed: 4, out });
    started.push(...startedNodes(result.dir).map((n) => n.pid));
    expect(result).toMatchObject({ valid: true, exitCode: 0, meetsExpectation: false });
    expect(result.coverage).toMatchObject({ restarts: 0, leaderChanges: 0 });
    expect(JSON.parse(readFileSync(join(result.dir, 'results.json'), 'utf8')).coverage).toEqual(result.coverage);
    expect(formatRunResult(result)).toContain('NOT as expected (crash recovery not exercised: 0 restart(s), expected >= 1)');
  });

  it('refuses bad options in one line', async () => {
    await expect(runCampaign('raft-smoke', { seed: -1 })).rejects.toThrow('runCampaign: seed takes an integer from 0 to 4294967295, got -1');
    await expect(runCampaign('raft-smoke', { timeLimit: 'soon' })).rejects.toThrow(`runCampaign: timeLimit takes seconds (or '500ms', '2s', '1m'), got "soon"`);
    await expect(runCampaign('no-such-campaign')).rejects.toThrow(/unknown campaign "no-such-campaign"/);
  });
});

describe('checkHistory', () => {
  const op = (index: number, process: number, type: Op['type'], f: string, value: unknown): Op => ({ index, time: index, process, type, f, key: 'x', value });

  it('checks a history against a shipped model or your own', async () => {
    const stale = [op(0, 0, 'invoke', 'write', 1), op(1, 0, 'ok', 'write', 1), op(2, 1, 'invoke', 'read', null), op(3, 1, 'ok', 'read', 0)];
    expect((await checkHistory(stale, { model: registerModel({ initial: 0 }) })).valid).toBe(false);
    expect((await checkHistory(stale.slice(0, 2), { model: 'register' })).valid).toBe(true);
    // nothing completed ok: nothing to judge
    const nothing = await checkHistory([op(0, 0, 'invoke', 'write', 1), op(1, 0, 'fail', 'write', 1), op(2, 1, 'invoke', 'read', null)], { model: 'register' });
    expect([nothing.valid, nothing.unknownReason]).toEqual(['unknown', 'nothing-completed']);
    // A counter: reads see the number of increments so far.
    const counter: Model<number> = {
      name: 'counter',
      init: () => 0,
      step: (s, input, output) => (input.f === 'inc' ? [true, s + 1] : [output === undefined || output === s, s]),
      equal: (a, b) => a === b,
      hash: (s) => s,
      describeOperation: (input, output) => `${input.f} ${String(output ?? '')}`,
      describeState: (s) => String(s),
    };
    const history = [op(0, 0, 'invoke', 'inc', null), op(1, 0, 'ok', 'inc', null), op(2, 1, 'invoke', 'read', null), op(3, 1, 'ok', 'read', 1)];
    expect((await checkHistory(history, { model: counter })).valid).toBe(true);
    history[3] = op(3, 1, 'ok', 'read', 2);
    expect((await checkHistory(history, { model: counter })).valid).toBe(false);
  });
});

describe('readHistory', () => {
  const edn = [
    '{:process 0, :type :invoke, :f :write, :value 1}',
    '{:process 0, :type :ok, :f :write, :value 1}',
    '{:process 1, :type :invoke, :f :read, :value nil}',
    '{:process 1, :type :ok, :f :read, :value 2}',
  ].join('\n');
  const jsonl = [
    { process: 0, type: 'invoke', f: 'write', value: 1 },
    { process: 0, type: 'ok', f: 'write', value: 1 },
    { process: 1, type: 'invoke', f: 'read', value: null },
    { process: 1, type: 'ok', f: 'read', value: 1 },
  ].map((o) => JSON.stringify(o)).join('\n');
  const file = (name: string, text: string): string => {
    const path = join(out, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads what `faultline check` reads: a Jepsen/knossos EDN history and faultline\'s history.jsonl, by content or by `format`', async () => {
    const stale = readHistory(file('stale.edn', edn));
    expect(stale.map((o) => [o.process, o.type, o.f, o.value])).toEqual([[0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 2]]);
    expect((await checkHistory(stale, { model: 'register' })).valid).toBe(false);
    expect(readHistory(join(out, 'stale.edn'), { format: 'edn' })).toEqual(stale);
    expect((await checkHistory(readHistory(file('fine.jsonl', jsonl)), { model: 'register' })).valid).toBe(true);
  });

  it('never reads a history as fewer ops than it has: a missing, empty, torn or mistyped file throws, naming the file (and line)', () => {
    const missing = join(out, 'no-such-history.jsonl');
    expect(() => readHistory(missing)).toThrow(UserError);
    expect(() => readHistory(missing)).toThrow(`${missing}: no such file`);
    const empty = file('empty.jsonl', '');
    expect(() => readHistory(empty)).toThrow(ParseError);
    expect(() => readHistory(empty)).toThrow(`${empty}:1: the file is empty`);
    const torn = file('torn.jsonl', jsonl + '\n{"process":1,"type":"inv');
    expect(() => readHistory(torn)).toThrow(new RegExp(`^${torn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: `));
    expect(() => readHistory(out)).toThrow(`${out}: is a directory`);
    expect(() => readHistory(torn, { format: 'csv' as never })).toThrow('readHistory: format must be one of jsonl, edn, jepsen-log, got "csv"');
  });
});

describe('the package entry points', () => {
  it('`faultline` (the package entry, by name) exports the API and never loads vitest', () => {
    if (!existsSync(join(projectRoot, 'dist/api/index.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
    // A resolve hook that records every specifier, then the entry imported by its package name.
    const hook = `export async function resolve(s, c, next) { if (/^vitest(\\/|$)/.test(s)) console.log('LOADED ' + s); return next(s, c); }`;
    const script = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const api = await import('faultline'); console.log(Object.keys(api).sort().join(' '));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('LOADED');
    for (const name of ['defineCampaign', 'runCampaign', 'checkHistory', 'registerModel', 'kvModel', 'CampaignError']) expect(r.stdout).toContain(name);
  });
});
