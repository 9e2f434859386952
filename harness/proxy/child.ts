/**
 * The embedded Toxiproxy in a child process: the same server as startEmbeddedToxiproxy, but
 * its proxying runs on another core instead of the harness's event loop (in one process, a
 * proxy between the clients and the nodes takes about half the loop at high op rates).
 * The child exits when close() is called or when this process dies (its stdin closes).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmbeddedToxiproxy, EmbeddedToxiproxyOptions } from './server.js';

/** The compiled child entry (dist/harness/proxy/child-main.js), also when running from sources. */
function childEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'child-main.js');
  if (existsSync(beside)) return beside;
  // running the TypeScript sources (vitest): use the build
  const built = join(here, '..', '..', 'dist', 'harness', 'proxy', 'child-main.js');
  if (existsSync(built)) return built;
  throw new Error(`cannot find the embedded Toxiproxy entry (${beside}); build first: npx tsc -p .`);
}

export async function spawnEmbeddedToxiproxy(
  options: EmbeddedToxiproxyOptions = {},
): Promise<EmbeddedToxiproxy & { pid: number }> {
  const child = spawn(process.execPath, [childEntry(), options.host ?? '127.0.0.1', String(options.port ?? 0), ...(options.seed === undefined ? [] : [String(options.seed)])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer): void => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      try {
        const msg = JSON.parse(buffer.slice(0, nl)) as { url?: string; error?: string };
        if (msg.url) resolve(msg.url);
        else reject(new Error(`embedded Toxiproxy did not start: ${msg.error ?? buffer}`));
      } catch {
        reject(new Error(`embedded Toxiproxy said: ${buffer}`));
      }
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`embedded Toxiproxy exited (${code}) before it started`)));
  });
  child.stdout!.resume();
  let closing: Promise<void> | null = null;
  return {
    url,
    pid: child.pid!,
    close: () => {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
      })();
      return closing;
    },
  };
}
