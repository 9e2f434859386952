import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessRuntime } from '../runtime/process.js';
import { AFTER_KILL, AFTER_POWER_LOSS, crashAndRestart, writerSystem } from './testing.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function processRuntime(durability: boolean): { runtime: ProcessRuntime; runDir: string } {
  const runDir = mkdtempSync(join(tmpdir(), 'faultline-durability-'));
  const runtime = new ProcessRuntime({ system: writerSystem, runId: 'test', runDir, stopGraceMs: 500, durability });
  cleanups.push(async () => {
    await runtime.destroy();
    rmSync(runDir, { recursive: true, force: true });
  });
  return { runtime, runDir };
}

describe('power loss on the process runtime', () => {
  it('drops what was not fsynced and keeps what was', async () => {
    const { runtime, runDir } = processRuntime(true);
    await runtime.prepare(['w1']);
    await runtime.start({ id: 'w1', env: { NODE_ID: 'w1' } });
    await runtime.waitHealthy('w1', 20_000);
    const { files, loss } = await crashAndRestart(runtime, 'w1', true);
    expect(files).toEqual(AFTER_POWER_LOSS);
    expect(loss).toMatch(/4 file\(s\) back to their last fsync \(handle.txt, log.txt, replaced.json, sub\/cb.txt\)/);
    expect(loss).toMatch(/2 name\(s\) never made durable removed \(new-synced.txt, new-unsynced.txt\)/);
    expect(loss).toMatch(/1 name\(s\) whose removal was not durable back \(flushed.txt\)/);
    expect(readFileSync(join(runDir, 'logs', 'w1.log'), 'utf8')).toContain('power loss of w1');
    // A second power loss right after the restart loses nothing: the restart's state is durable.
    await runtime.kill('w1');
    expect(await runtime.loseUnsynced('w1')).toBe('nothing was lost (every write had been fsynced)');
  }, 60_000);

  it('a plain kill keeps every write (the page cache survives a process crash)', async () => {
    const { runtime } = processRuntime(true);
    await runtime.prepare(['w1']);
    await runtime.start({ id: 'w1', env: { NODE_ID: 'w1' } });
    await runtime.waitHealthy('w1', 20_000);
    expect((await crashAndRestart(runtime, 'w1', false)).files).toEqual(AFTER_KILL);
  }, 60_000);

  it('refuses without a record: a runtime made without durability, a running node', async () => {
    const { runtime } = processRuntime(false);
    await runtime.prepare(['w1']);
    await runtime.start({ id: 'w1', env: { NODE_ID: 'w1' } });
    await runtime.waitHealthy('w1', 20_000);
    await expect(runtime.loseUnsynced('w1')).rejects.toThrow(/cannot drop the unsynced writes of w1: it is running/);
    await runtime.kill('w1');
    await expect(runtime.loseUnsynced('w1')).rejects.toThrow(/keep no durability record/);
  }, 60_000);
});
