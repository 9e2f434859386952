/** What the power-loss tests of both runtimes share: the writer node and what it must hold after a crash. */
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadDescriptor, projectRoot } from '../descriptor.js';
import { getJson } from '../runtime/health.js';
import type { Runtime } from '../runtime/runtime.js';

export const writerSystem = loadDescriptor(join(projectRoot, 'harness', 'durability', 'fixtures', 'writer-system.yaml'));

/** What the writer's scenario leaves after a power loss: what it fsynced, under names whose folder it fsynced. */
export const AFTER_POWER_LOSS = {
  'handle.txt': 'a',
  'log.txt': 'synced-1\n',
  'flushed.txt': 'flushed',
  'replaced.json': 'v1',
  'sub/cb.txt': 'cb',
};
/** ... and after a plain kill (the page cache survives): everything it wrote. */
export const AFTER_KILL = {
  'handle.txt': 'ab',
  'log.txt': 'synced-1\nunsynced-2\n',
  'new-synced.txt': 'data synced, name not',
  'new-unsynced.txt': 'x',
  'replaced.json': 'v2',
  'sub/cb.txt': 'cb2',
};

async function post(runtime: Runtime, id: string, path: string): Promise<unknown> {
  const { host, port } = runtime.address(id);
  const res = await fetch(`http://${host}:${port}${path}`, { method: 'POST' });
  return res.json();
}

async function files(runtime: Runtime, id: string): Promise<unknown> {
  const answer = await getJson(runtime.address(id), '/files', 5000);
  if ('error' in answer) throw new Error(answer.error);
  return answer.body;
}

/** Runs the scenario on a started node, kills it (dropping unsynced writes when `lose`), restarts it; returns its files. */
export async function crashAndRestart(runtime: Runtime, id: string, lose: boolean): Promise<{ files: unknown; loss?: string }> {
  expect(await post(runtime, id, '/scenario')).toEqual(AFTER_KILL);
  await runtime.kill(id);
  const loss = lose ? await runtime.loseUnsynced!(id) : undefined;
  await runtime.restart(id);
  await runtime.waitHealthy(id, 20_000);
  return { files: await files(runtime, id), ...(loss !== undefined && { loss }) };
}
