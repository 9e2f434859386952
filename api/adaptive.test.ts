/** An adaptive run records the faults it chose; its replay runs exactly that fault sequence. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunHistory } from '../core/history.js';
import { projectRoot } from '../harness/descriptor.js';
import { killAll, startedNodes } from '../harness/run/testing.js';
import { defineCampaign, runCampaign, UserError, type Workload } from './index.js';

const fixtures = join(projectRoot, 'harness', 'run', 'fixtures');
const out = mkdtempSync(join(tmpdir(), 'faultline-adaptive-'));
const started: number[] = [];
afterAll(() => {
  killAll(started);
  rmSync(out, { recursive: true, force: true });
});

/** The nemesis's actions in order: what each did and to what. */
function nemesisSequence(dir: string): string[] {
  return readRunHistory(join(dir, 'history.jsonl'))
    .filter((op) => op.process === 'nemesis' && op.type === 'invoke')
    .map((op) => `${op.f} ${JSON.stringify(op.value)}`);
}

const planFaults = (dir: string): unknown[] => (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { faults: unknown[] }).faults;

describe('adaptive nemesis mode', () => {
  it('records the chosen faults and their times in plan.json; the replay runs the same fault sequence', async () => {
    const mod = (await import(pathToFileURL(join(fixtures, 'fake-workload.mjs')).href)) as { workload: Workload<unknown> };
    const campaign = defineCampaign({
      name: 'api-adaptive',
      system: join(fixtures, 'fake-system.yaml'),
      workload: { name: { ...mod.workload, name: 'adaptive-register' }, options: { keys: 2 } },
      nodes: 3,
      clients: { concurrency: 3, rate: 100, timeout: '500ms' },
      time_limit: '2500ms',
      final: { settle: '100ms', timeout: '2s' },
      nemesis: {
        mode: 'adaptive',
        explore: 0.5,
        start: '200ms',
        interval: '200ms',
        duration: '300ms',
        faults: [{ type: 'kill', targets: 'one' }, { type: 'pause', targets: 'minority' }, { type: 'partition', shapes: ['halves', 'isolate-follower'] }],
      },
      checkers: ['coverage'],
    });
    const first = await runCampaign(campaign, { seed: 11, out });
    started.push(...startedNodes(first.dir).map((n) => n.pid));
    const plan = JSON.parse(readFileSync(join(first.dir, 'plan.json'), 'utf8')) as { mode: string; faults: { at: number; type: string }[]; decisions: { id: number; reward?: number }[] };
    expect(plan.mode).toBe('adaptive');
    expect(plan.faults.length).toBeGreaterThanOrEqual(3);
    expect(plan.decisions.map((d) => d.id)).toEqual(plan.faults.map((_, i) => i));
    expect(plan.decisions.every((d) => typeof d.reward === 'number')).toBe(true);
    // the slots keep the schedule's times: 200ms, then every 500ms
    expect(plan.faults.map((f) => f.at)).toEqual(plan.faults.map((_, i) => 200 + 500 * i));
    const sequence = nemesisSequence(first.dir);
    expect(sequence.length).toBeGreaterThanOrEqual(plan.faults.length);
    expect(first.replay).toBe(
      `runCampaign(campaign, { seed: 11, faults: ${JSON.stringify(join(first.dir, 'plan.json'))} }) with campaign "api-adaptive" (its own workload adaptive-register is a value, not a module: named by module path, \`npx faultline run <run folder>/campaign.yaml\` replays it)`,
    );

    const again = await runCampaign(campaign, { seed: 11, out, faults: join(first.dir, 'plan.json') });
    started.push(...startedNodes(again.dir).map((n) => n.pid));
    expect(planFaults(again.dir)).toEqual(plan.faults);
    // it ran the recorded faults, it did not choose again
    expect(JSON.parse(readFileSync(join(again.dir, 'plan.json'), 'utf8'))).toMatchObject({ recorded: true });
    expect(JSON.parse(readFileSync(join(again.dir, 'plan.json'), 'utf8')).decisions).toBeUndefined();
    expect(nemesisSequence(again.dir)).toEqual(sequence);
    // a replay's replay is itself
    expect(again.replay).toBe(first.replay);
  }, 60_000);

  it('refuses a recorded file that is not a run\'s plan in one line', async () => {
    const campaign = defineCampaign({ name: 'api-adaptive-bad', system: join(fixtures, 'fake-system.yaml'), workload: 'register' });
    const missing = await runCampaign(campaign, { out, faults: join(out, 'nope.json') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as Error).message).toMatch(/^runCampaign: faults .*nope\.json: cannot read it \(ENOENT\)$/);
    const notPlan = await runCampaign(campaign, { out, faults: join(fixtures, 'fake.yaml') }).catch((e: unknown) => e);
    expect((notPlan as Error).message).toMatch(/fake\.yaml: not JSON/);
  });
});
