/** Helpers for the engine's tests (kept out of the *.test.ts files so several can share them). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isNodeOfRun } from '../runtime/leftovers.js';

export interface StartedNode {
  id: string;
  pid: number;
  port: number;
  peers: string;
  advertise: string | null;
  bugs: string;
  extra: string | null;
}

/** The `started` lines the fake node prints, from every logs/<node>.log of a run folder. */
export function startedNodes(runDir: string): StartedNode[] {
  const logs = join(runDir, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs).flatMap((f) =>
    readFileSync(join(logs, f), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"started"'))
      .map((l) => (JSON.parse(l) as { started: StartedNode }).started),
  );
}

/** The same liveness test the leftover cleanup uses (a zombie counts as dead). */
export { isAlive as pidAlive } from '../runtime/leftovers.js';

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every proxy listen port of a run, from its net.jsonl. */
export function proxyPorts(runDir: string): number[] {
  const file = join(runDir, 'net.jsonl');
  if (!existsSync(file)) return [];
  const ports: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as { type: string; links?: { endpoint?: { port: number } }[] | string[] };
    if (event.type !== 'create' || !Array.isArray(event.links)) continue;
    for (const link of event.links) if (typeof link === 'object' && link.endpoint) ports.push(link.endpoint.port);
  }
  return ports;
}

/** Kills what a failed test may have left (never needed when the engine works): only pids that
 *  are still faultline nodes. By a test's end most of them ended long ago, and their pids may
 *  belong to another test's processes by then (pids wrap, at 32768 by default, threads included). */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    if (!isNodeOfRun(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
