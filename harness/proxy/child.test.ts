import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { spawnEmbeddedToxiproxy } from './child.js';
import { exchange, startEchoServer, type TestServer } from './test-servers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded Toxiproxy as a child process', () => {
  let echo: TestServer | null = null;
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    await echo?.close();
    close = null;
    echo = null;
  });

  it('serves the API, proxies, and close() stops the child and its listeners', async () => {
    echo = await startEchoServer();
    const tp = await spawnEmbeddedToxiproxy();
    close = tp.close;
    const proxy = await new Toxiproxy(tp.url).createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const port = Number(proxy.listen.split(':')[1]);
    expect((await exchange(port, 'hi', 2, 2000)).data.toString()).toBe('hi');
    await tp.close();
    expect(alive(tp.pid)).toBe(false);
    expect((await exchange(port, 'hi', 2, 2000)).code).toBe('ECONNREFUSED');
  });

  it('exits when its parent dies', async () => {
    // a parent that starts the child and is then killed outright
    const script = `
      import { spawnEmbeddedToxiproxy } from ${JSON.stringify(new URL('../../dist/harness/proxy/child.js', import.meta.url).href)};
      const tp = await spawnEmbeddedToxiproxy();
      console.log(JSON.stringify({ pid: tp.pid, url: tp.url }));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const info = await new Promise<{ pid: number; url: string }>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    expect(alive(info.pid)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(info.pid)).toBe(false);
  });
});
