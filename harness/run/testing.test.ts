import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { isNodeOfRun, RUN_ID_ENV } from '../runtime/leftovers.js';
import { killAll } from './testing.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A process that runs until killed: this one's environment without a run id, plus `env`. */
async function idle(env: Record<string, string>): Promise<ChildProcess> {
  const base = { ...process.env };
  delete base[RUN_ID_ENV];
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

describe('killAll, the tests\' cleanup of nodes a failed test left', () => {
  it('kills a process that is a faultline node, and leaves alone one that is not (a reused pid)', async () => {
    const node = await idle({ [RUN_ID_ENV]: 'testing-test' });
    const other = await idle({});
    expect(isNodeOfRun(node.pid!, 'testing-test')).toBe(true);
    expect(isNodeOfRun(node.pid!, 'another-run')).toBe(false);
    expect(isNodeOfRun(other.pid!)).toBe(false);

    const nodeExit = once(node, 'exit');
    killAll([node.pid!, other.pid!]);
    const [, signal] = (await nodeExit) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
  });
});
