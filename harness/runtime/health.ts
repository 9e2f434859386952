import { readFileSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RuntimeError, type Endpoint } from './runtime.js';

/** GET http://host:port/path; resolves with the status code, or undefined when nothing answered in time. */
export function probe(endpoint: Endpoint, path: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: endpoint.host, port: endpoint.port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** GET a JSON answer; undefined when nothing answered in time or the body is not JSON. A fresh
 *  connection each time unless an `agent` (keep-alive) is given. */
export function getJson(endpoint: Endpoint, path: string, timeoutMs: number, agent?: Agent): Promise<{ status: number; body: unknown } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: endpoint.host, port: endpoint.port, path, method: 'GET', timeout: timeoutMs, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          resolve({ error: `HTTP ${res.statusCode}: not JSON` });
        }
      });
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

export interface HealthWait {
  id: string;
  endpoint: Endpoint;
  /** The descriptor's health path. */
  path: string;
  /** The run folder (for the tail of logs/<id>.log in errors). */
  runDir: string;
  timeoutMs: number;
  /** True once the node has exited: waiting longer is pointless. */
  exited: () => boolean;
  /** Stops the wait (Ctrl-C): a RuntimeError within a second. */
  signal?: AbortSignal | undefined;
}

/** Polls the health path until it answers 2xx; a RuntimeError (with the log's tail) otherwise. */
export async function waitUntilHealthy(wait: HealthWait): Promise<void> {
  const { id, endpoint, path, timeoutMs } = wait;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (wait.exited()) throw new RuntimeError(`node ${id} exited before it was healthy; ${logTail(wait.runDir, id)}`);
    if (wait.signal?.aborted) throw new RuntimeError(`stopped waiting for node ${id} to be healthy (interrupted)`);
    const status = await probe(endpoint, path, Math.min(1000, Math.max(50, deadline - Date.now())));
    if (status !== undefined && status >= 200 && status < 300) return;
    await sleep(50);
  }
  throw new RuntimeError(`node ${id} not healthy after ${timeoutMs} ms (GET ${path}); ${logTail(wait.runDir, id)}`);
}

function logTail(runDir: string, id: string): string {
  try {
    const lines = readFileSync(join(runDir, 'logs', `${id}.log`), 'utf8').trim().split('\n');
    const tail = lines.slice(-5);
    // A crash's error line (`Error: listen EADDRINUSE ...`) is often above the tail of its stack.
    const error = lines.findLast((l) => /^\s*(?:[A-Z]\w*)?Error\b/.test(l));
    if (error !== undefined && !tail.includes(error)) tail.unshift(error, '...');
    return `last lines of logs/${id}.log:\n    ${tail.join('\n    ')}`;
  } catch {
    return `see logs/${id}.log`;
  }
}
