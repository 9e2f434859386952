import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.js';
import type { CheckResult } from '../../core/result.js';
import { loadCampaign } from '../campaign/load.js';
import { NO_OPTIONS, type Checker } from '../../core/checker.js';
import { projectRoot } from '../descriptor.js';
import { readRunHistory } from '../../core/history.js';
import { planRun } from './plan.js';
import { createProgress } from './progress.js';
import { writeResults, type RunResults } from './check.js';
import { recheckRun } from './recheck.js';
import { runCampaign } from './run.js';
import { killAll, listening, pidAlive, proxyPorts, startedNodes } from './testing.js';
import { historyProblems } from './validate.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const out = mkdtempSync(join(tmpdir(), 'faultline-run-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

/** A checker for the test: counts ops, and is invalid when a write completed as fail. */
const counting: Checker = {
  name: 'counting',
  description: 'test',
  options: NO_OPTIONS,
  check(history: readonly Op[]): CheckResult {
    const clientOps = history.filter((o) => typeof o.process === 'number');
    return { checker: 'counting', valid: true, summary: `${clientOps.length} client ops`, anomalies: [], details: { ops: clientOps.length } };
  },
};

describe('runCampaign on the process runtime (fake system)', () => {
  it('runs end to end: nodes behind proxies, faults, final phase, history, results', async () => {
    const campaign = await loadCampaign(join(fixtures, 'fake.yaml'), {
      registries: { workloads: {}, checkers: { counting } },
      sets: ['checkers=[counting]', 'nemesis.faults.1.targets=leader'],
    });
    let atCleanup: { results: [unknown, number] | undefined; alive: string[] } | undefined;
    const outcome = await runCampaign({
      campaign,
      runtime: 'process',
      outDir: out,
      replay: 'npx faultline run fake --seed 42',
      checkers: { counting },
      progress: createProgress(process.stderr, { quiet: true }),
      monitorIntervalMs: 100,
      onCleanedUp: (dir) => {
        const file = join(dir, 'results.json');
        const written = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunResults) : undefined;
        atCleanup = { results: written && [written.valid, written.results.length], alive: startedNodes(dir).filter((n) => pidAlive(n.pid)).map((n) => n.id) };
      },
    });
    const nodes = startedNodes(outcome.dir);
    // Told once everything had stopped, before the checks: results.json says the history is whole, unchecked.
    expect(atCleanup).toEqual({ results: ['unknown', 0], alive: [] });
    started.push(...nodes.map((n) => n.pid));

    // The run folder.
    const history = readRunHistory(join(outcome.dir, 'history.jsonl'));
    expect(historyProblems(history)).toEqual([]);
    const results = JSON.parse(readFileSync(join(outcome.dir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ campaign: 'fake-test', system: 'fake', seed: 42, valid: true, replay: 'npx faultline run fake --seed 42' });
    expect(results.results[0].summary).toBe(`${history.filter((o) => typeof o.process === 'number').length} client ops`);
    expect(outcome.exitCode).toBe(0);
    expect(readFileSync(join(outcome.dir, 'campaign.yaml'), 'utf8')).toMatch(/^seed: 42$/m);
    expect(readFileSync(join(outcome.dir, 'report.html'), 'utf8')).toContain('<');

    // Client ops, nemesis ops, monitor ops.
    const fs = new Set(history.filter((o) => typeof o.process === 'number').map((o) => o.f));
    expect(fs).toEqual(new Set(['read', 'write']));
    // Clients kept working through the faults: both kinds completed ok, many times (how many depends
    // on the machine's load: 37 of ~600 attempted at load 20, hundreds when idle).
    const oks = history.filter((o) => o.type === 'ok' && typeof o.process === 'number');
    expect(new Set(oks.map((o) => o.f))).toEqual(new Set(['read', 'write']));
    expect(oks.length).toBeGreaterThan(20);
    const nemesis = history.filter((o) => o.process === 'nemesis');
    const done = nemesis.filter((o) => o.type === 'info' && !o.error).map((o) => o.f);
    expect(done).toContain('start-partition');
    expect(done).toContain('stop-partition');
    expect(done).toContain('kill');
    expect(done).toContain('restart');
    const kill = nemesis.find((o) => o.f === 'kill' && o.type === 'info');
    expect(kill?.value).toEqual({ nodes: ['n1'] }); // targets: leader, and the fake leader is n1
    const partition = nemesis.find((o) => o.f === 'start-partition' && o.type === 'info');
    expect(partition?.value).toMatchObject({ shape: 'halves', mode: 'drop', grudge: expect.any(Object) });
    const monitor = history.filter((o) => o.process === 'monitor');
    expect(monitor.some((o) => (o.value as { role?: string })?.role === 'leader' && o.node === 'n1')).toBe(true);
    // The final phase reads every key after the last fault healed.
    const lastNemesis = Math.max(...nemesis.map((o) => o.index));
    const finalReads = history.filter((o) => o.index > lastNemesis && o.f === 'read' && o.type === 'ok');
    expect(finalReads.length).toBeGreaterThanOrEqual(4 * 2);
    // A retired process never comes back: ids after an info are fresh.
    const infoProcs = new Set(history.filter((o) => o.type === 'info' && typeof o.process === 'number').map((o) => o.process));
    for (const p of infoProcs) {
      const lastOfP = history.filter((o) => o.process === p).at(-1)!;
      expect(lastOfP.type).toBe('info');
    }

    // Nodes learnt their peers as proxy addresses, and their own client proxy as ADVERTISE_URL.
    const net = readFileSync(join(outcome.dir, 'net.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const links = net.find((e) => e.type === 'create').links as { from: string; to: string; endpoint: { port: number }; kind: string }[];
    const n2 = nodes.find((n) => n.id === 'n2')!;
    const toN1 = links.find((l) => l.from === 'n2' && l.to === 'n1')!;
    const toN3 = links.find((l) => l.from === 'n2' && l.to === 'n3')!;
    expect(n2.peers).toBe(`n1=http://127.0.0.1:${toN1.endpoint.port},n3=http://127.0.0.1:${toN3.endpoint.port}`);
    const client2 = links.find((l) => l.kind === 'client' && l.to === 'n2')!;
    expect(n2.advertise).toBe(`http://127.0.0.1:${client2.endpoint.port}`);
    expect(n2.bugs).toBe('stale-reads');
    expect(n2.extra).toBe('from-campaign');
    expect(net.some((e) => e.type === 'partition')).toBe(true);

    // Everything stopped: node processes and proxy listeners.
    for (const n of nodes) expect(pidAlive(n.pid), `node ${n.id} pid ${n.pid}`).toBe(false);
    for (const port of proxyPorts(outcome.dir)) expect(await listening(port), `proxy port ${port}`).toBe(false);

    // The run followed its plan: each process's ops are the planned ones, the faults the planned faults.
    const plan = planRun(campaign, 5);
    for (let p = 0; p < 4; p++) {
      const invoked = history.filter((o) => o.process === p && o.type === 'invoke').slice(0, 5);
      expect(invoked.map((o) => ({ f: o.f, key: o.key, ...(o.value !== undefined && { value: o.value }) }))).toEqual(plan.ops[p]!.slice(0, invoked.length));
    }
    const startedFaults = nemesis.filter((o) => o.type === 'invoke' && ['start-partition', 'kill'].includes(o.f)).map((o) => (o.f === 'kill' ? 'kill' : 'partition'));
    expect(startedFaults).toEqual(plan.faults.slice(0, startedFaults.length).map((f) => f.type));
    expect(JSON.parse(readFileSync(join(outcome.dir, 'plan.json'), 'utf8')).faults).toEqual(plan.faults);

    // Re-checking from the files alone gives the same verdict.
    const again = await recheckRun(outcome.dir, { counting });
    expect(again.valid).toBe(true);
    expect(again.results).toEqual(results.results);
    expect(again.interrupted).toBeUndefined();

    // A run killed outright leaves no results.json, or a torn last line: on re-check never valid.
    const killed = join(out, 'killed');
    cpSync(outcome.dir, killed, { recursive: true });
    rmSync(join(killed, 'results.json'));
    const noResults = await recheckRun(killed, { counting });
    expect(noResults.valid).toBe('unknown');
    expect(noResults.interrupted).toMatch(/^no results\.json: the run did not end/);
    expect((await recheckRun(killed, { counting })).valid).toBe('unknown'); // as results.json now says
    // Stopped while checking (Ctrl-C after the cleanup): results.json says the history is whole, unchecked.
    const unchecked = join(out, 'unchecked');
    cpSync(outcome.dir, unchecked, { recursive: true });
    const checked = JSON.parse(readFileSync(join(unchecked, 'results.json'), 'utf8')) as RunResults;
    writeResults(unchecked, { ...checked, valid: 'unknown', results: [] });
    expect((await recheckRun(unchecked, { counting })).valid).toBe(true);
    const torn = join(out, 'torn');
    cpSync(outcome.dir, torn, { recursive: true });
    const text = readFileSync(join(torn, 'history.jsonl'), 'utf8').trimEnd();
    writeFileSync(join(torn, 'history.jsonl'), text.slice(0, -10));
    const tornAgain = await recheckRun(torn, { counting });
    expect(tornAgain.valid).toBe('unknown');
    expect(tornAgain.interrupted).toBe('history.jsonl ends in a torn line: the run was cut short');
  });

  it('faultline run exits 1 on anomalies, and its replay command replays the run', () => {
    const cli = join(projectRoot, 'bin', 'faultline.js');
    const outDir = join(out, 'cli');
    // Every fake node keeps its own store, so reads through other nodes are not linearizable.
    const args = ['run', join(fixtures, 'fake.yaml'), '--out', outDir, '--time-limit', '1', '--set', 'checkers=[{name: linearizable, options: {model: kv}}]'];
    const first = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(first.status, first.stderr).toBe(1);
    expect(first.stdout).toMatch(/linearizable\s+INVALID/);
    const replay = /^replay: (.*)$/m.exec(first.stdout)?.[1];
    expect(replay).toBe(`npx faultline run ${join(fixtures, 'fake.yaml')} --seed 42 --time-limit 1 --out ${outDir} --set 'checkers=[{name: linearizable, options: {model: kv}}]'`);
    const again = spawnSync('sh', ['-c', replay!.replace(/^npx faultline /, `${process.execPath} ${cli} `)], { encoding: 'utf8', timeout: 60_000 });
    expect(again.status, again.stderr).toBe(1);
    const runs = readdirSync(join(outDir, 'fake-test')).sort();
    expect(runs).toHaveLength(2);
    const planOf = (run: string) => readFileSync(join(outDir, 'fake-test', run, 'plan.json'), 'utf8');
    expect(planOf(runs[1]!)).toBe(planOf(runs[0]!));
    for (const run of runs) started.push(...startedNodes(join(outDir, 'fake-test', run)).map((n) => n.pid));
  });
});

describe('a node whose command cannot start', () => {
  const descriptor = readFileSync(join(fixtures, 'fake-system.yaml'), 'utf8');
  const notExecutable = join(out, 'not-executable.sh');
  writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
  const cases: [string, (d: string) => string, RegExp][] = [
    ['a missing program', (d) => d.replace('command: [node, harness/run/fixtures/fake-node.mjs]', 'command: [/nonexistent/fake-server]'), /process\.command\[0\] "\/nonexistent\/fake-server": no such file or directory \(ENOENT\)/],
    ['a program not on PATH', (d) => d.replace('command: [node, harness/run/fixtures/fake-node.mjs]', 'command: [no-such-program-here]'), /process\.command\[0\] "no-such-program-here": no such program on PATH \(ENOENT\)/],
    ['a file that is not executable', (d) => d.replace('command: [node, harness/run/fixtures/fake-node.mjs]', `command: [${notExecutable}]`), /process\.command\[0\] ".*not-executable\.sh": not executable: permission denied \(EACCES\)/],
    ['a directory as the program', (d) => d.replace('command: [node, harness/run/fixtures/fake-node.mjs]', `command: [${out}]`), /process\.command\[0\] ".*": not a file \(EISDIR\)/],
    ['a missing working directory', (d) => d.replace('command: [node, harness/run/fixtures/fake-node.mjs]', 'command: [node, harness/run/fixtures/fake-node.mjs]\n  cwd: no-such-dir'), /process\.cwd ".*\/no-such-dir": no such file or directory \(ENOENT\)/],
  ];
  for (const [what, edit, pattern] of cases) {
    it(`fails the run at once with the OS error and the descriptor field: ${what}`, async () => {
      const file = join(out, `system-${what.replaceAll(' ', '-')}.yaml`);
      writeFileSync(file, edit(descriptor));
      const campaign = await loadCampaign(join(fixtures, 'fake.yaml'), { registries: { workloads: {}, checkers: { counting } }, sets: [`system=${file}`, 'checkers=[counting]'] });
      const healthTimeoutMs = 60_000;
      const began = Date.now();
      const run = runCampaign({
        campaign,
        runtime: 'process',
        outDir: join(out, 'cannot-start'),
        replay: 'x',
        checkers: {},
        progress: createProgress(process.stderr, { quiet: true }),
        healthTimeoutMs,
      });
      await expect(run).rejects.toThrow(pattern);
      await expect(run).rejects.toThrow(/^run failed before it started: node n\d cannot start: system fake: descriptor field /);
      expect(Date.now() - began).toBeLessThan(healthTimeoutMs);
    });
  }
});

describe('faultline run with an output it cannot use', () => {
  const cli = join(projectRoot, 'bin', 'faultline.js');
  const run = (args: string[]) =>
    spawnSync(process.execPath, [cli, 'run', join(fixtures, 'fake.yaml'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, FAULTLINE_STATE_DIR: join(out, 'state') },
    });

  it('--out that is a file (or under one): one clear line, exit 3', () => {
    const file = join(out, 'a-file');
    writeFileSync(file, 'x');
    for (const target of [file, join(file, 'below')]) {
      const res = run(['--out', target, '--time-limit', '1']);
      expect(res.status, res.stderr).toBe(3);
      expect(res.stderr).toMatch(new RegExp(`^faultline: --out ${target}: cannot make the run folder ${target}/fake-test/[^ ]+: a file is in the way \\(ENOTDIR\\)\\n$`));
    }
  });

  it('a descriptor idFormat that would write outside the run folder: one clear line, exit 3, nothing written', () => {
    const descriptor = readFileSync(join(fixtures, 'fake-system.yaml'), 'utf8');
    for (const idFormat of ['../n{n}', 'a/{n}', '{n}/..', '.{n}']) {
      const file = join(out, 'escaping-system.yaml');
      writeFileSync(file, descriptor.replace('idFormat: "n{n}"', `idFormat: "${idFormat}"`));
      const outDir = join(out, 'escaping');
      const res = run(['--out', outDir, '--set', `system=${file}`]);
      expect(res.status, res.stderr).toBe(3);
      expect(res.stderr).toMatch(/^faultline: invalid campaign: --set system=.*escaping-system\.yaml: system: .*escaping-system\.yaml: invalid system descriptor: nodes\.idFormat: may hold only letters, digits, - and _ around \{n\}.*\n$/);
      expect(existsSync(outDir)).toBe(false);
    }
  });
});
