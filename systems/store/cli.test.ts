/** The store through faultline's CLI (`list`, `node`) and its own start-up errors. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtEntry, freePort, http, root, waitFor } from '../common/testing.js';
import { storeMain } from './testing/cluster.js';

const cli = join(root, 'bin', 'faultline.js');
let child: ChildProcess | undefined;

beforeAll(() => {
  storeMain();
  builtEntry('dist/harness/cli/main.js');
});

afterEach(async () => {
  const c = child;
  child = undefined;
  if (c && c.exitCode === null && c.signalCode === null) {
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      // the whole process group: faultline and the node it started
      process.kill(-c.pid!, 'SIGTERM');
      setTimeout(() => {
        try {
          process.kill(-c.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 3000).unref();
    });
  }
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('faultline and the store', () => {
  it('lists the system and its bugs', () => {
    expect(run([cli, 'list', 'systems']).stdout).toMatch(/^store\s+Replicated key-value store/m);
    const bugs = run([cli, 'list', 'bugs']).stdout;
    for (const b of ['split-brain', 'lost-deletes', 'const-version', 'ryw-is-eventual']) expect(bugs).toMatch(new RegExp(`^store/${b}\\s+\\S`, 'm'));
  });

  it('starts one node with faultline node, peers in the course format', async () => {
    const port = await freePort();
    const dead = await freePort();
    child = spawn(process.execPath, [cli, 'node', 'store', '--id', 'node-1', '--port', String(port), '--peers', `http://127.0.0.1:${dead}`, '--bugs', 'split-brain'], {
      cwd: root,
      env: { PATH: process.env.PATH },
      stdio: 'ignore',
      detached: true,
    });
    // alone and with split-brain it leads without a majority
    const s = await waitFor('the node to lead', async () => {
      const st = (await http('GET', `http://127.0.0.1:${port}/status`)).body;
      return st.role === 'leader' ? st : undefined;
    });
    expect(s).toMatchObject({ nodeId: 'node-1', leaderId: 'node-1', bugs: ['split-brain'], config: { totalNodes: 2 } });
    const put = await http('PUT', `http://127.0.0.1:${port}/key/a`, '1');
    expect(put.body).toMatchObject({ success: true, achievedQuorum: false });
  });

  it('refuses a bad configuration with a message naming it', () => {
    const bad = (env: NodeJS.ProcessEnv): { status: number | null; stderr: string } => run([storeMain()], { PORT: '0', ...env });
    expect(bad({ PEERS: 'x=ftp://a:1' })).toMatchObject({ status: 2, stderr: expect.stringMatching(/PEERS: "x=ftp:\/\/a:1" must be an http:\/\/ URL/) });
    expect(bad({ BUGS: 'split-brain,typo' })).toMatchObject({ status: 2, stderr: expect.stringMatching(/unknown bug "typo"/) });
    expect(bad({ HEARTBEAT_MS: 'soon' })).toMatchObject({ status: 2, stderr: expect.stringMatching(/HEARTBEAT_MS/) });
    expect(bad({ HEARTBEAT_MS: '500', ELECTION_TIMEOUT_MS: '400' })).toMatchObject({ status: 2, stderr: expect.stringMatching(/ELECTION_TIMEOUT_MS/) });
    expect(bad({ READ_QUORUM: '0' })).toMatchObject({ status: 2, stderr: expect.stringMatching(/READ_QUORUM must be at least 1/) });
  });
});
