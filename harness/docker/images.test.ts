/**
 * Images: the COPY sources of the Dockerfiles, the base image made from this host's Node.js
 * (runs `node`), and up-to-date images left alone.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { findSystem, projectRoot } from '../descriptor.js';
import { buildHostNodeImage, ensureBaseImage, sharedLibraries } from './base-image.js';
import { buildAndTag } from './build.js';
import { dockerClient, LABEL } from './client.js';
import { contextHash, copySources, ensureImage, systemImage, toxiproxyImage } from './images.js';
import { removeUnusedOldBuilds } from './old-builds.js';
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
  const exists = (id: string): Promise<boolean> =>
    docker
      .getImage(id)
      .inspect()
      .then(() => true)
      .catch(() => false);
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

  it('a build aborted in the middle of a step (its RUN running) rejects within seconds, tags nothing, leaves no container', async () => {
    const kind = `test-slow-${process.pid}`;
    const spec = { ref: `faultline-${kind}:latest`, kind, dockerfile: 'harness/docker/fixtures/slow-build.Dockerfile' };
    const marker = 'faultline-test-slow-build';
    const stepContainers = async (): Promise<string[]> =>
      (await docker.listContainers({ all: true })).filter((c) => c.Command.includes(marker)).map((c) => c.Id);
    const abort = new AbortController();
    let aborted = 0;
    let running = false;
    const log = (line: string): void => {
      if (!/Step \d+\/\d+ : RUN/.test(line)) return;
      // Once the step's container runs (the engine is in the middle of the build), abort.
      void (async () => {
        const until = Date.now() + 30_000;
        while (!running && Date.now() < until) {
          running = (await stepContainers()).length > 0;
          if (!running) await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 500));
        aborted = Date.now();
        abort.abort(new Error('stopped (test)'));
      })();
    };
    try {
      await expect(ensureImage(docker, spec, { log, signal: abort.signal })).rejects.toThrow('stopped (test)');
      const took = Date.now() - aborted;
      console.log(`image build aborted in its RUN step: rejected ${took} ms after the abort`);
      expect(running, 'the RUN step ran').toBe(true);
      expect(took).toBeLessThan(5000);
      expect(existsSync(join(tmpdir(), `faultline-lock-image-${kind}`))).toBe(false);
      // The engine cancels the build: its step container goes, and nothing is tagged.
      const until = Date.now() + 15_000;
      while ((await stepContainers()).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
      expect(await stepContainers()).toEqual([]);
      await expect(docker.getImage(spec.ref).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      for (const id of await stepContainers()) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
      await docker.getImage(spec.ref).remove({ force: true }).catch(() => undefined);
    }
  }, 120_000);

  it("making the host Node.js base image, aborted in the middle of its build, rejects within seconds, tags nothing, removes its context", async () => {
    const ref = `faultline-node-base:test-abort-${process.pid}`;
    const contexts = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('faultline-node-base-'));
    const before = new Set(contexts());
    let ours: string[] = [];
    const abort = new AbortController();
    let aborted = 0;
    const log = (line: string): void => {
      if (aborted || !/^Step 2\/\d+ : COPY/.test(line)) return;
      ours = contexts().filter((n) => !before.has(n));
      aborted = Date.now();
      abort.abort(new Error('stopped (test)'));
    };
    try {
      await expect(buildHostNodeImage(docker, ref, log, abort.signal)).rejects.toThrow('stopped (test)');
      const took = Date.now() - aborted;
      console.log(`host Node.js base image build aborted in its COPY step: rejected ${took} ms after the abort`);
      expect(aborted, 'the COPY step began').toBeGreaterThan(0);
      expect(took).toBeLessThan(5000);
      expect(ours.length, 'its build context existed').toBeGreaterThan(0);
      expect(contexts().filter((n) => ours.includes(n))).toEqual([]);
      // Docker 20.10 may finish the build without its client: an untagged image then, which the
      // next making of a base image removes.
      await new Promise((r) => setTimeout(r, 5000));
      await expect(docker.getImage(ref).inspect()).rejects.toMatchObject({ statusCode: 404 });
      await removeUnusedOldBuilds(docker, 'node-base');
      const dangling = await docker.listImages({ filters: { dangling: ['true'], label: [`${LABEL.image}=node-base`] } });
      expect(dangling.map((i) => i.Id)).toEqual([]);
    } finally {
      await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    }
  }, 120_000);

  it('a build, once tagged, removes the build it replaced and the older ones of its kind no container uses (one in use stays until it is free)', async () => {
    const kind = `test-tag-${process.pid}`;
    const ref = `faultline-${kind}:latest`;
    const dir = mkdtempSync(join(tmpdir(), 'faultline-build-test-'));
    const containers: string[] = [];
    const images: string[] = [];
    const build = async (content: string): Promise<string> => {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY f /f\n');
      writeFileSync(join(dir, 'f'), content);
      const id = await buildAndTag(docker, { context: dir, src: ['Dockerfile', 'f'], ref, kind, options: { forcerm: true } });
      images.push(id);
      return id;
    };
    try {
      const a = await build(`a ${Date.now()}`);
      expect((await docker.getImage(ref).inspect()).Config.Labels).toMatchObject({ [LABEL.owner]: 'true', [LABEL.image]: kind });
      const user = await docker.createContainer({ Image: a, Cmd: ['/f'], Labels: { [LABEL.owner]: 'true' } });
      containers.push(user.id);
      const b = await build(`b ${Date.now()}`);
      expect(await exists(a), 'replaced but in use: kept').toBe(true);
      const c = await build(`c ${Date.now()}`);
      expect(await exists(b), 'replaced and unused: removed').toBe(false);
      expect(await exists(a)).toBe(true);
      await user.remove({ force: true });
      await build(`d ${Date.now()}`);
      expect(await exists(a), 'free now: removed').toBe(false);
      expect(await exists(c)).toBe(false);
      expect((await docker.getImage(ref).inspect()).Id).toContain(images[images.length - 1]);
    } finally {
      for (const id of containers) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
      await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
      for (const id of images) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
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
