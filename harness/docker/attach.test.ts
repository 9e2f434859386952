/**
 * Attach mode: compose/raft.yml brought up (as `docker compose up -d` would), then
 * `faultline run --attach compose/raft.yml` runs a campaign with a partition and a kill against
 * it, and leaves the project as it found it (every node running, proxies as configured).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSystem, projectRoot } from '../descriptor.js';
import { readRunHistory } from '../../core/history.js';
import { dockerClient } from './client.js';
import { ensureImage, systemImage, toxiproxyImage } from './images.js';
import { composeUp, dockerSkipReason, fixture, readResults, runCli } from './testing.js';

const why = await dockerSkipReason();
const out = mkdtempSync(join(tmpdir(), 'faultline-attach-'));
const project = `faultline-attach-test-${process.pid}`;
const composeFile = join(projectRoot, 'compose', 'raft.yml');
let down: (() => Promise<void>) | undefined;

describe.skipIf(why !== undefined)(`--attach to a running compose project${why ? ` (skipped: ${why})` : ''}`, () => {
  afterAll(async () => {
    await down?.();
    rmSync(out, { recursive: true, force: true });
  });

  it('runs a campaign with a partition and a kill on compose/raft.yml and leaves the project running', async () => {
    const docker = dockerClient();
    await ensureImage(docker, systemImage(findSystem('raft')));
    await ensureImage(docker, toxiproxyImage);
    down = await composeUp(composeFile, project, { ...process.env, TOXIPROXY_IMAGE: 'faultline-toxiproxy' });

    const run = await runCli(['run', fixture('docker-raft.yaml'), '--attach', composeFile, '--project', project], {
      out,
      env: { FAULTLINE_STATE_DIR: join(out, 'state') },
    });
    const text = `${run.stdout}\n${run.stderr}`;
    expect(run.code, text).toBe(0);
    expect(text).toContain('replay: npx faultline run');
    expect(text).toContain(`--attach ${composeFile} --project ${project}`);
    const results = readResults(run.dir!);
    expect(results.valid).toBe(true);
    const nemesis = readRunHistory(join(run.dir!, 'history.jsonl')).filter((o) => o.process === 'nemesis' && o.type === 'info').map((o) => o.f);
    expect(nemesis).toEqual(expect.arrayContaining(['start-partition', 'stop-partition', 'kill', 'restart']));

    // The project is as it was: all four containers running, the config's proxies in place, no toxic.
    const containers = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    expect(containers.map((c) => c.State).sort()).toEqual(['running', 'running', 'running', 'running']);
    const proxy = containers.find((c) => c.Labels['com.docker.compose.service'] === 'toxiproxy')!;
    const ip = Object.values(proxy.NetworkSettings.Networks)[0]!.IPAddress;
    const proxies = (await (await fetch(`http://${ip}:8474/proxies`)).json()) as Record<string, { enabled: boolean; toxics: unknown[] }>;
    expect(Object.keys(proxies).sort()).toEqual(
      ['faultline_client_to_node1', 'faultline_client_to_node2', 'faultline_client_to_node3', 'faultline_node1_to_node2', 'faultline_node1_to_node3',
        'faultline_node2_to_node1', 'faultline_node2_to_node3', 'faultline_node3_to_node1', 'faultline_node3_to_node2'],
    );
    for (const p of Object.values(proxies)) expect(p).toMatchObject({ enabled: true, toxics: [] });

    // A campaign with more nodes than the file has is refused, saying how to fit it.
    const five = await runCli(['run', 'raft-partitions', '--attach', composeFile, '--project', project, '--time-limit', '1'], { out });
    expect(five.code).toBe(3);
    expect(five.stderr).toContain('has no service for node(s) node4, node5 (its nodes: node1, node2, node3); run the campaign with --set nodes=3');

    // A campaign asking for bugs the project does not run is refused with the command to fix it.
    const bugs = await runCli(['run', fixture('docker-raft.yaml'), '--attach', composeFile, '--project', project, '--set', 'settings.bugs=[stale-reads]'], { out });
    expect(bugs.code).toBe(3);
    expect(bugs.stderr).toMatch(/BUGS=stale-reads docker compose -f .*raft\.yml -p \S+ up -d/);
  }, 120_000);
});
