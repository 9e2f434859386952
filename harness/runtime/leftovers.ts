/**
 * Pid files of live runs, so a later run can clean up after a run that was killed outright
 * (SIGKILL, a crash): its node processes are killed, and the proxies it left on a shared
 * Toxiproxy removed. One JSON file per run under $TMPDIR/faultline-runs/ (or FAULTLINE_STATE_DIR).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable every node process carries, so a pid is only killed if it is ours. */
export const RUN_ID_ENV = 'FAULTLINE_RUN_ID';

export interface RunRecord {
  runId: string;
  /** The harness process. */
  pid: number;
  runDir: string;
  /** Node id -> pid of its process (process runtime). */
  nodes: Record<string, number>;
  /** Toxiproxy and proxy-name prefix, when the run used a Toxiproxy that outlives it. */
  toxiproxy?: { url: string; prefix: string };
}

export function stateDir(): string {
  return process.env.FAULTLINE_STATE_DIR ?? join(tmpdir(), 'faultline-runs');
}

function fileOf(runId: string): string {
  return join(stateDir(), `${runId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export function writeRunRecord(record: RunRecord): void {
  mkdirSync(stateDir(), { recursive: true });
  const file = fileOf(record.runId);
  writeFileSync(`${file}.tmp`, JSON.stringify(record));
  renameSync(`${file}.tmp`, file);
}

export function removeRunRecord(runId: string): void {
  rmSync(fileOf(runId), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (dead, not yet reaped by whoever inherited it) answers signal 0 but is not running.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** True when pid is a node process of run `runId`, or of any run when `runId` is undefined
 *  (checked through /proc where there is one). A pid whose process ended may since have been
 *  given to an unrelated process (pids wrap), which this tells apart. */
export function isNodeOfRun(pid: number, runId?: string): boolean {
  const environ = `/proc/${pid}/environ`;
  if (!existsSync('/proc/self/environ')) return isAlive(pid);
  try {
    const wanted = runId === undefined ? `${RUN_ID_ENV}=` : `${RUN_ID_ENV}=${runId}`;
    return readFileSync(environ, 'latin1')
      .split('\0')
      .some((entry) => (runId === undefined ? entry.startsWith(wanted) : entry === wanted));
  } catch {
    return false;
  }
}

export interface Leftovers {
  runId: string;
  killed: number[];
  toxiproxy?: { url: string; prefix: string };
}

/** Removes what runs whose harness died left behind. Proxies are handed to `removeProxies`. */
export async function removeLeftovers(
  removeProxies?: (url: string, prefix: string) => Promise<unknown>,
): Promise<Leftovers[]> {
  const dir = stateDir();
  if (!existsSync(dir)) return [];
  const cleaned: Leftovers[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    let record: RunRecord;
    try {
      record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunRecord;
    } catch {
      continue;
    }
    if (record.pid === process.pid || isAlive(record.pid)) continue;
    const killed: number[] = [];
    for (const pid of Object.values(record.nodes)) {
      if (!isNodeOfRun(pid, record.runId)) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          continue;
        }
      }
      killed.push(pid);
    }
    if (record.toxiproxy && removeProxies) {
      await removeProxies(record.toxiproxy.url, record.toxiproxy.prefix).catch(() => undefined);
    }
    rmSync(join(dir, name), { force: true });
    cleaned.push({ runId: record.runId, killed, toxiproxy: record.toxiproxy });
  }
  return cleaned;
}
