/**
 * What runtimes need to make a node lose its unsynced writes (the `power-loss` fault): the
 * environment that loads the preload (./preload.ts) into a Node.js node, the preload's files (the
 * docker runtime copies them into the container), and the roll-back of a killed node's data
 * directory to its durability record (./record.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../descriptor.js';
import type { TarEntry } from '../docker/tar.js';
import { RuntimeError } from '../runtime/runtime.js';
import { DATA_ENV, DurabilityRecord, RECORD_ENV, type LossSummary } from './record.js';

export { describeLoss, RECORD_FILES, type LossSummary } from './record.js';

/** The compiled preload and the module it imports (dist/: `npm run build` makes them). */
const PRELOAD_DIR = join(projectRoot, 'dist', 'harness', 'durability');
const PRELOAD_FILES = ['preload.js', 'record.js'] as const;

/** The variables that load the preload into a Node.js node; `preload` is the preload's path where
 *  the node runs. NODE_OPTIONS keeps what `inherited` had. */
export function durabilityEnv(dataDir: string, recordDir: string, preload: string, inherited?: string): Record<string, string> {
  const load = `--import=${pathToFileURL(preload).href}`;
  return {
    NODE_OPTIONS: inherited ? `${inherited} ${load}` : load,
    [DATA_ENV]: dataDir,
    [RECORD_ENV]: recordDir,
  };
}

/** Checks that the preload was built (the process runtime loads it from dist/). */
export function preloadPath(): string {
  const file = join(PRELOAD_DIR, 'preload.js');
  if (!existsSync(file)) throw new RuntimeError(`${file} is missing: run \`npm run build\` first (power-loss needs the compiled preload)`);
  return file;
}

export class NoRecordError extends Error {}

/** The error of a node whose process kept no durability record. */
export function noRecordError(id: string): NoRecordError {
  return new NoRecordError(`node ${id} kept no durability record (its program is not Node.js, or it died before it started): its unsynced writes cannot be told apart`);
}

/** What a runtime checks before it drops `id`'s unsynced writes: throws when it cannot (the node
 *  runs, or the runtime keeps no record); resolves to what was lost when there is nothing to drop
 *  (no data directory), or undefined to go ahead. */
export function unsyncedLossCheck(id: string, state: string, durability: boolean | undefined, hasDataDir: boolean): string | undefined {
  if (state !== 'stopped') throw new RuntimeError(`cannot drop the unsynced writes of ${id}: it is ${state} (kill it first)`);
  if (!durability) throw new RuntimeError(`the nodes of this run keep no durability record (the runtime was created without durability)`);
  return hasDataDir ? undefined : 'nothing was lost (the system has no data directory)';
}

/** Rolls a killed node's data directory back to what it had fsynced. Throws NoRecordError when its
 *  process kept no record (not a Node.js program, or it never got that far). */
export function loseUnsynced(id: string, dataDir: string, recordDir: string): LossSummary {
  const record = new DurabilityRecord(dataDir, recordDir);
  if (!record.ready()) throw noRecordError(id);
  return record.rollBack();
}

/** The preload's files as tar entries under `folder` (with a package.json that makes them ES modules). */
export function preloadTar(folder: string): TarEntry[] {
  preloadPath();
  const parts = folder.split('/');
  const dirs = parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
  return [
    ...dirs.map((name) => ({ name, mode: 0o777 })),
    { name: `${folder}/package.json`, data: '{"type":"module"}\n' },
    ...PRELOAD_FILES.map((file) => ({ name: `${folder}/${file}`, data: readFileSync(join(PRELOAD_DIR, file)) })),
  ];
}
