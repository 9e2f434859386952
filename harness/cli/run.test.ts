import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../campaign/load.js';
import { defaultRegistries } from '../campaign/registries.js';
import { projectRoot } from '../descriptor.js';
import { killAll, startedNodes } from '../run/testing.js';
import { EXIT, exitCodeForError, UserError } from '../../core/errors.js';
import { parseConcurrency, shortOptionOverrides } from './run-options.js';

/** `faultline run` as users run it: `node bin/faultline.js` on the compiled dist/ (after tsc). */
const BIN = join(projectRoot, 'bin', 'faultline.js');
const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const out = mkdtempSync(join(tmpdir(), 'faultline-cli-run-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

function faultline(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  if (!existsSync(join(projectRoot, 'dist/harness/cli/run.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('run options that are sugar for --set', () => {
  it('--nodes, --concurrency 2n, --rate and --nemesis set the campaign fields', async () => {
    const registries = await defaultRegistries();
    const sets = await shortOptionOverrides({ nodes: '5', concurrency: '2n', rate: '40', nemesis: 'partition,kill,pause,latency' }, () => {
      throw new Error('the node count comes from --nodes here');
    });
    const campaign = await loadCampaign('raft-smoke', { sets, registries });
    expect(campaign.nodes).toHaveLength(5);
    expect(campaign.spec.clients.concurrency).toBe(10);
    expect(campaign.spec.clients.rate).toBe(40);
    expect(campaign.spec.nemesis.faults.map((f) => f.type)).toEqual(['partition', 'kill', 'pause', 'latency']);
  });

  it('--concurrency <k>n without --nodes multiplies the campaign\'s node count; a --set after it wins', async () => {
    const registries = await defaultRegistries();
    let asked = 0;
    const sets = await shortOptionOverrides({ concurrency: '3n', nemesis: 'none' }, async () => {
      asked++;
      return 4;
    });
    expect(asked).toBe(1);
    const campaign = await loadCampaign('raft-partitions', { sets, registries });
    expect(campaign.spec.clients.concurrency).toBe(12);
    expect(campaign.spec.nemesis.faults).toEqual([]);
    const overridden = await loadCampaign('raft-smoke', { sets: [...sets, 'clients.concurrency=2'], registries });
    expect(overridden.spec.clients.concurrency).toBe(2);
    expect(parseConcurrency('7')).toEqual({ clients: 7 });
    expect(() => parseConcurrency('0')).toThrow(UserError);
  });

  it('the plan of `run --nodes 5 --concurrency 2n` has 10 processes; 2n follows the campaign\'s nodes (raft-smoke: 3)', () => {
    const five = faultline('run', 'raft-smoke', '--plan', '--seed', '7', '--nodes', '5', '--concurrency', '2n', '--nemesis', 'kill');
    expect(five.code, five.stderr).toBe(0);
    const processes = (text: string): number => text.split('first ops per process:')[1]!.trim().split('\n').length;
    expect(processes(five.stdout)).toBe(10);
    expect(five.stdout).toMatch(/kill/);
    const three = faultline('run', 'raft-smoke', '--plan', '--seed', '7', '--concurrency', '2n');
    expect(three.code, three.stderr).toBe(0);
    expect(processes(three.stdout)).toBe(6);
  });

  it('bad values are refused in one line naming the option (exit 3)', () => {
    const cases: [string[], RegExp][] = [
      [['--concurrency', 'lots'], /^faultline: --concurrency takes a client count \(8\) or clients per node \(2n\), got "lots"\n$/],
      [['--rate', '-3'], /^faultline: --rate takes ops per second.*got "-3"\n$/],
      [['--nodes', '99'], /^faultline: invalid campaign: --nodes 99: nodes: raft runs with 1 to 7 nodes, got 99\n$/],
      [['--nemesis', 'partition,bogus'], /^faultline: invalid campaign: --nemesis partition,bogus: nemesis\.faults\[1\]\.type: unknown nemesis "bogus"; valid choices: partition, kill/],
      [['--nemesis', 'partition;rm'], /^faultline: --nemesis takes fault types separated by commas/],
      [['--test-count', '0'], /^faultline: --test-count takes a number of runs \(1 or more\), got "0"\n$/],
      [['--set', 'checkers=[]'], /^faultline: invalid campaign: --set checkers=\[\]: checkers: no checker: a run nothing judges cannot pass/],
    ];
    for (const [args, message] of cases) {
      const r = faultline('run', 'raft-smoke', '--plan', ...args);
      expect(r.code, args.join(' ')).toBe(EXIT.error);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('run --test-count', () => {
  const fake = join(fixtures, 'fake.yaml');
  const common = ['--time-limit', '500ms', '--nemesis', 'none', '--set', 'final.enabled=false'];

  it('runs N seeds (seed, seed+1, ...), printing each replay line, when every run is valid', () => {
    const outDir = join(out, 'valid');
    const r = faultline('run', fake, '--out', outDir, '--test-count', '2', ...common, '--set', 'checkers=[perf]');
    if (existsSync(join(outDir, 'fake-test'))) started.push(...pidsOf(join(outDir, 'fake-test')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('run 1 of 2, seed 42');
    expect(r.stdout).toContain('run 2 of 2, seed 43');
    const replays = [...r.stdout.matchAll(/^replay: (.*)$/gm)].map((m) => m[1]);
    expect(replays).toEqual([42, 43].map((seed) => `npx faultline run ${fake} --seed ${seed} --time-limit 500ms --out ${outDir} --nemesis none --set final.enabled=false --set 'checkers=[perf]'`));
    expect(r.stdout).toContain('all 2 runs valid (seeds 42 to 43)');
  });

  it('stops at the first run that is not valid, with that run\'s exit code and replay line', () => {
    const outDir = join(out, 'invalid');
    // Every fake node keeps its own store: reads through other nodes are not linearizable.
    const r = faultline('run', fake, '--out', outDir, '--test-count', '3', ...common, '--set', 'checkers=[{name: linearizable, options: {model: kv}}]');
    if (existsSync(join(outDir, 'fake-test'))) started.push(...pidsOf(join(outDir, 'fake-test')));
    expect(r.code, r.stderr).toBe(EXIT.invalid);
    expect(r.stdout).toContain('run 1 of 3, seed 42');
    expect(r.stdout).not.toContain('run 2 of 3');
    expect([...r.stdout.matchAll(/^replay: .* --seed 42 /gm)]).toHaveLength(1);
    expect(r.stdout).toContain('stopped at run 1 of 3 (seed 42)');
  });
});

describe('run --faults (an adaptive run\'s replay)', () => {
  it('an adaptive run prints a replay line with its recorded faults; that replay runs them and prints itself again', () => {
    const fake = join(fixtures, 'fake.yaml');
    const outDir = join(out, 'adaptive');
    const args = ['--time-limit', '1500ms', '--set', 'final.enabled=false', '--set', 'checkers=[perf]'];
    const first = faultline('run', fake, '--seed', '9', '--out', outDir, ...args, '--set', 'nemesis.mode=adaptive');
    if (existsSync(join(outDir, 'fake-test'))) started.push(...pidsOf(join(outDir, 'fake-test')));
    expect(first.code, first.stderr).toBe(0);
    const dir = /^run folder: (.*)$/m.exec(first.stdout)![1]!;
    const replay = /^replay: (.*)$/m.exec(first.stdout)![1]!;
    expect(replay).toBe(`npx faultline run ${fake} --seed 9 --time-limit 1500ms --out ${outDir} --set final.enabled=false --set 'checkers=[perf]' --set nemesis.mode=adaptive --faults ${join(dir, 'plan.json')}`);
    const again = faultline('run', fake, '--seed', '9', '--out', outDir, ...args, '--set', 'nemesis.mode=adaptive', '--faults', join(dir, 'plan.json'));
    if (existsSync(join(outDir, 'fake-test'))) started.push(...pidsOf(join(outDir, 'fake-test')));
    expect(again.code, again.stderr).toBe(0);
    expect(/^replay: (.*)$/m.exec(again.stdout)![1]).toBe(replay);
    const faults = (d: string): unknown => (JSON.parse(readFileSync(join(d, 'plan.json'), 'utf8')) as { faults: unknown }).faults;
    expect(faults(/^run folder: (.*)$/m.exec(again.stdout)![1]!)).toEqual(faults(dir));
    const bad = faultline('run', fake, '--faults', join(out, 'none.json'));
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toBe(`faultline: --faults ${join(out, 'none.json')}: cannot read it (ENOENT)`);
  });
});

describe('exit codes', () => {
  it('an internal error (a bug, not bad input) exits 4 with its stack; bad input exits 3', () => {
    expect(exitCodeForError(new UserError('bad'))).toBe(EXIT.error);
    expect(exitCodeForError(new TypeError('x is not a function'))).toBe(EXIT.internal);
    expect(EXIT.internal).toBe(4);
    // A workload module whose options are not a schema: faultline's code fails on it, unexpectedly.
    const broken = join(out, 'broken-workload.mjs');
    writeFileSync(broken, "export const workload = { name: 'broken', description: 'x', apis: ['store'], options: {}, generator() {}, async client() {} };\n");
    const campaign = join(out, 'broken.yaml');
    writeFileSync(campaign, readFileSync(join(fixtures, 'fake.yaml'), 'utf8').replace('./fake-system.yaml', join(fixtures, 'fake-system.yaml')).replace('./fake-workload.mjs', broken));
    const r = faultline('run', campaign, '--plan');
    expect(r.code, r.stderr).toBe(EXIT.internal);
    expect(r.stderr).toMatch(/^faultline: internal error: TypeError/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

function pidsOf(campaignDir: string): number[] {
  return readdirSync(campaignDir).flatMap((run) => startedNodes(join(campaignDir, run)).map((n) => n.pid));
}
