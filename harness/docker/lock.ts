/**
 * A lock between processes on this host (a directory made atomically, holding the owner's pid),
 * so that two runs or test files never build the same image at the same time. A lock whose
 * owner is gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../runtime/leftovers.js';

/** Runs `work` holding the lock `name`; waiting for it ends (AbortError) when `signal` aborts. */
export async function withLock<T>(name: string, work: () => Promise<T>, timeoutMs = 10 * 60_000, signal?: AbortSignal): Promise<T> {
  const dir = join(tmpdir(), `faultline-lock-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        // being made or removed right now
      }
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for the lock ${dir} (held by pid ${owner})`);
      else await sleep(200, undefined, signal && { signal });
    }
  }
  try {
    return await work();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
