import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../harness/descriptor.js';
import { killAll, startedNodes } from '../harness/run/testing.js';
import { defineCampaign, runCampaign } from './index.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const out = mkdtempSync(join(tmpdir(), 'faultline-replay-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

const planned = (dir: string): unknown => (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { faults: unknown }).faults;

describe('a campaign defined in code replays from its run folder', () => {
  it('prints `npx faultline run <dir>/campaign.yaml --seed N`, and that command (the CLI) runs the same campaign and fault plan again', async () => {
    const campaign = defineCampaign({
      name: 'replay-code',
      system: join(fixtures, 'fake-system.yaml'),
      workload: { name: join(fixtures, 'fake-workload.mjs'), options: { keys: 2 } },
      nodes: 3,
      clients: { concurrency: 3, rate: 100, timeout: '500ms' },
      final: { settle: '100ms', timeout: '2s' },
      nemesis: { start: '200ms', interval: '200ms', duration: '300ms', faults: [{ type: 'partition' }, { type: 'kill' }] },
      checkers: ['perf'],
    });
    const first = await runCampaign(campaign, { seed: 77, out, timeLimit: '1s' });
    started.push(...startedNodes(first.dir).map((n) => n.pid));
    const yaml = join(first.dir, 'campaign.yaml');
    expect(first.replay).toBe(`npx faultline run ${yaml} --seed 77 --out ${out}`);
    expect(readFileSync(yaml, 'utf8')).toMatch(/time_limit: 1000ms|time_limit: 1s/);
    expect(JSON.parse(readFileSync(join(first.dir, 'results.json'), 'utf8'))).toMatchObject({ replay: first.replay });

    if (!existsSync(join(projectRoot, 'dist/harness/cli/run.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
    const [npx, faultline, ...args] = first.replay.split(' ');
    expect([npx, faultline]).toEqual(['npx', 'faultline']);
    const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'faultline.js'), ...args], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
    const runs = readdirSync(join(out, 'replay-code')).filter((d) => !d.startsWith('.') && d !== 'latest').map((d) => join(out, 'replay-code', d));
    for (const dir of runs) started.push(...startedNodes(dir).map((n) => n.pid));
    expect(r.status, r.stderr).toBe(0);
    const again = runs.find((d) => d !== first.dir)!;
    expect(again).toBeDefined();
    // the same seed, time limit and fault plan; the replay of the replay is the same line for its own folder
    expect(planned(again)).toEqual(planned(first.dir));
    const results = JSON.parse(readFileSync(join(again, 'results.json'), 'utf8')) as { seed: number; replay: string; campaign: string };
    expect(results).toMatchObject({ seed: 77, campaign: 'replay-code' });
    expect(r.stdout).toContain(`replay: npx faultline run ${yaml} --seed 77 --out ${out}`);
  }, 180_000);
});
