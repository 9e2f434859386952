/**
 * power-loss on the docker runtime: the preload is put into the node's container, keeps its
 * durability record there, and rolls /data back to it when the container starts after the fault.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AFTER_KILL, AFTER_POWER_LOSS, crashAndRestart, writerSystem } from '../durability/testing.js';
import { DockerRuntime } from '../runtime/docker.js';
import { dockerClient } from './client.js';
import { dockerSkipReason, leftoversOf } from './testing.js';

const why = await dockerSkipReason();

describe.skipIf(why !== undefined)(`power loss on the docker runtime${why ? ` (skipped: ${why})` : ''}`, () => {
  it('drops what was not fsynced and keeps what was; a plain kill keeps everything; nothing is left', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'faultline-docker-power-loss-'));
    const runtime = new DockerRuntime({ system: writerSystem, runId: 'power-loss-test', runDir, stopGraceSeconds: 1, durability: true });
    try {
      await runtime.prepare(['w1', 'w2']);
      for (const id of ['w1', 'w2']) await runtime.start({ id, env: { NODE_ID: id } });
      for (const id of ['w1', 'w2']) await runtime.waitHealthy(id, 60_000);
      const lost = await crashAndRestart(runtime, 'w1', true);
      expect(lost.files).toEqual(AFTER_POWER_LOSS);
      expect(lost.loss).toMatch(/dropped at the restart/);
      // The preload did the roll-back and said what it dropped, in the node's log.
      const log = readFileSync(join(runDir, 'logs', 'w1.log'), 'utf8');
      expect(log).toMatch(/\[faultline\] power loss: 4 file\(s\) back to their last fsync \(handle.txt, log.txt, replaced.json, sub\/cb.txt\); 2 name\(s\) never made durable removed/);
      expect((await crashAndRestart(runtime, 'w2', false)).files).toEqual(AFTER_KILL);
    } finally {
      await runtime.destroy();
      rmSync(runDir, { recursive: true, force: true });
    }
    expect(await leftoversOf('power-loss-test')).toEqual([]);
    await dockerClient().getImage('faultline-writer:latest').remove().catch(() => undefined);
  }, 240_000);
});
