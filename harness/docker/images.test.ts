/**
 * Images: the COPY sources of the Dockerfiles, the base image made from this host's Node.js
 * (runs `node`), and up-to-date images left alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { findSystem, projectRoot } from '../descriptor.js';
import { buildHostNodeImage, ensureBaseImage, sharedLibraries } from './base-image.js';
import { dockerClient, LABEL } from './client.js';
import { contextHash, copySources, ensureImage, removeUnusedOldBuilds, systemImage, toxiproxyImage } from './images.js';
import { dockerSkipReason } from './testing.js';

describe('Dockerfile sources and context hash', () => {
  it('reads the COPY sources of the system Dockerfiles', () => {
    const chat = readFileSync(join(projectRoot, 'systems', 'chat', 'Dockerfile'), 'utf8');
    expect(copySources(chat)).toEqual(['package.json', 'node_modules/ws', 'dist/systems/common', 'dist/systems/chat']);
    expect(copySources('COPY --chown=1 a b ./x/\nADD ["c", "d"]\nCOPY --from=build /x /y\n')).toEqual(['a', 'b', 'c']);
  });

  it('the hash depends on the base image', () => {
    const spec = systemImage(findSystem('raft'));
    expect(contextHash(spec, 'sha256:a').hash).toBe(contextHash(spec, 'sha256:a').hash);
    expect(contextHash(spec, 'sha256:a').hash).not.toBe(contextHash(spec, 'sha256:b').hash);
  });

  it('finds the libraries node needs', () => {
    const libs = sharedLibraries(process.execPath);
    if (libs.length > 0) expect(libs.some((l) => /libc\.so/.test(l))).toBe(true);
  });
});

const why = await dockerSkipReason();
const testRef = `faultline-node-base:test-${process.pid}`;

describe.skipIf(why !== undefined)(`images on the engine${why ? ` (skipped: ${why})` : ''}`, () => {
  const docker = dockerClient();
  afterAll(async () => {
    await docker.getImage(testRef).remove({ force: true }).catch(() => undefined);
  });

  it('makes a base image from the host Node.js that runs node, offline', async () => {
    await buildHostNodeImage(docker, testRef);
    const info = await docker.getImage(testRef).inspect();
    expect(info.Config.Labels?.[LABEL.image]).toBe('node-base');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const [result, container] = (await docker.run(testRef, ['node', '-e', 'console.log(process.version)'], out, {
      HostConfig: { NetworkMode: 'none', AutoRemove: false },
      Labels: { [LABEL.owner]: 'true' },
    })) as [{ StatusCode: number }, { remove(o: object): Promise<unknown> }];
    await container.remove({ force: true });
    expect(result.StatusCode).toBe(0);
    expect(text).toContain(process.version);
  }, 120_000);

  it('keeps an up-to-date image (labelled with its context hash)', async () => {
    await ensureImage(docker, toxiproxyImage);
    expect(await ensureImage(docker, toxiproxyImage)).toBe(false);
    const info = await docker.getImage(toxiproxyImage.ref).inspect();
    expect(info.Config.Labels).toMatchObject({ [LABEL.owner]: 'true', [LABEL.image]: 'toxiproxy' });
    expect(info.Config.Labels?.[LABEL.context]).toMatch(/^[0-9a-f]{16}$/);
  }, 120_000);

  it('a build whose signal aborts rejects at once, tags nothing and lets go of its lock', async () => {
    const kind = `test-abort-${process.pid}`;
    const spec = { ref: `faultline-${kind}:latest`, kind, dockerfile: systemImage(findSystem('raft')).dockerfile };
    const abort = new AbortController();
    let aborted = 0;
    const log = (line: string): void => {
      if (!line.startsWith('building')) return;
      aborted = Date.now();
      abort.abort(new Error('stopped (test)'));
    };
    try {
      await expect(ensureImage(docker, spec, { log, signal: abort.signal })).rejects.toThrow('stopped (test)');
      const took = Date.now() - aborted;
      console.log(`image build aborted: rejected ${took} ms after the abort`);
      expect(aborted).toBeGreaterThan(0);
      expect(took).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 2000)); // anything the engine still did in that time
      await expect(docker.getImage(spec.ref).inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect(existsSync(join(tmpdir(), `faultline-lock-image-${kind}`))).toBe(false);
    } finally {
      await docker.getImage(spec.ref).remove({ force: true }).catch(() => undefined);
    }
  }, 120_000);

  it('removes the replaced builds of a kind that no container uses, keeps one in use until it is free', async () => {
    // Two untagged images of a kind only this test uses, as a rebuild leaves them (one still run
    // by a container), made by committing a container of the base image.
    const kind = `test-${process.pid}`;
    const base = await ensureBaseImage(docker);
    const made: { containers: string[]; images: string[] } = { containers: [], images: [] };
    const container = async (image: string): Promise<string> => {
      const c = await docker.createContainer({ Image: image, Cmd: ['true'], Labels: { [LABEL.owner]: 'true', [`${LABEL.owner}.test`]: String(process.pid) } });
      made.containers.push(c.id);
      return c.id;
    };
    const oldBuild = async (comment: string, of = kind): Promise<string> => {
      const { Id } = (await docker.getContainer(await container(base)).commit({ comment, changes: `LABEL ${LABEL.owner}=true ${LABEL.image}=${of}` })) as { Id: string };
      made.images.push(Id);
      return Id;
    };
    const exists = (id: string): Promise<boolean> =>
      docker
        .getImage(id)
        .inspect()
        .then(() => true)
        .catch(() => false);
    try {
      const inUse = await oldBuild('in use');
      const free = await oldBuild('free');
      const otherKind = await oldBuild('another image', `${kind}-other`);
      const user = await container(inUse);
      expect(await removeUnusedOldBuilds(docker, kind)).toEqual([free]);
      expect(await exists(free)).toBe(false);
      expect(await exists(inUse)).toBe(true);
      expect(await exists(otherKind)).toBe(true);
      await docker.getContainer(user).remove({ force: true });
      expect(await removeUnusedOldBuilds(docker, kind)).toEqual([inUse]);
      expect(await exists(inUse)).toBe(false);
    } finally {
      for (const id of made.containers) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
      for (const id of made.images) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
    }
  }, 120_000);
});
