/** `faultline proxy` as a user runs it (needs the build: npx tsc -p .). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';

const bin = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

function start(args: string[]): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [bin, 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { child, url };
}

describe('faultline proxy', () => {
  let child: ChildProcess | null = null;
  const dirs: string[] = [];
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('serves the Toxiproxy API, creates --config proxies, and stops on SIGTERM with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-proxy-'));
    dirs.push(dir);
    const config = join(dir, 'proxies.json');
    writeFileSync(config, JSON.stringify([{ name: 'web', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' }]));
    const run = start(['--port', '0', '--config', config]);
    child = run.child;
    const url = await run.url;
    const all = await new Toxiproxy(url).getAll();
    expect(Object.keys(all)).toEqual(['web']);
    const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
    run.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('bad options exit 3 with a one-line message', () => {
    const badPort = spawnSync(process.execPath, [bin, 'proxy', '--port', 'x'], { encoding: 'utf8' });
    expect(badPort.status).toBe(3);
    expect(badPort.stderr).toMatch(/--port must be a port number/);
    const badConfig = spawnSync(process.execPath, [bin, 'proxy', '--port', '0', '--config', '/nonexistent/p.json'], { encoding: 'utf8' });
    expect(badConfig.status).toBe(3);
    expect(badConfig.stderr).toMatch(/--config \/nonexistent\/p.json/);
    expect(badConfig.stderr).not.toMatch(/at .*\.js/); // no stack trace
    const badSeed = spawnSync(process.execPath, [bin, 'proxy', '--port', '0', '--seed', '1.5'], { encoding: 'utf8' });
    expect(badSeed.status).toBe(3);
    expect(badSeed.stderr.trim()).toBe('faultline: --seed must be a non-negative integer, got "1.5"');
  });
});
