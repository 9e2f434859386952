/**
 * The images faultline runs: one per system (built from systems/<name>/Dockerfile, the project
 * root as context, BASE_IMAGE set) and `faultline-toxiproxy` (the embedded Toxiproxy-compatible
 * server). Each image carries the hash of everything that went into it (Dockerfile, copied files,
 * base image id), so an image is rebuilt exactly when the compiled code changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type Docker from 'dockerode';
import { projectRoot, type SystemDescriptor } from '../descriptor.js';
import { buildAndTag } from './build.js';
import { LABEL } from './client.js';
import { ensureBaseImage, type BaseImageOptions } from './base-image.js';
import { withLock } from './lock.js';

export interface ImageSpec {
  /** e.g. faultline-raft:latest */
  ref: string;
  /** LABEL.image value: the system's name, or `toxiproxy`. */
  kind: string;
  /** Relative to the project root (the build context). */
  dockerfile: string;
}

export const TOXIPROXY_DOCKERFILE = 'harness/docker/toxiproxy.Dockerfile';
export const TOXIPROXY_IMAGE = 'faultline-toxiproxy:latest';

export function systemImage(system: SystemDescriptor): ImageSpec {
  return { ref: `faultline-${system.name}:latest`, kind: system.name, dockerfile: system.container.dockerfile };
}

export const toxiproxyImage: ImageSpec = { ref: TOXIPROXY_IMAGE, kind: 'toxiproxy', dockerfile: TOXIPROXY_DOCKERFILE };

/** The context paths a Dockerfile's COPY/ADD lines take (relative to the project root). */
export function copySources(dockerfileText: string): string[] {
  const sources: string[] = [];
  const joined = dockerfileText.replace(/\\\r?\n/g, ' ');
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!m) continue;
    let args = m[2]!.trim();
    if (args.startsWith('[')) {
      const list = JSON.parse(args) as string[];
      sources.push(...list.slice(0, -1).filter((a) => !a.startsWith('--')));
      continue;
    }
    const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
    if (/--from=/.test(args)) continue; // from another stage, not the context
    args = '';
    sources.push(...words.slice(0, -1));
  }
  return sources.map((s) => s.replace(/^\.\//, '').replace(/\/$/, ''));
}

function walk(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name), out);
  else out.push(path);
}

/** sha256 of the Dockerfile, every file it copies and the base image: changes when a rebuild is due. */
export function contextHash(spec: ImageSpec, baseImageId: string): { hash: string; sources: string[] } {
  const dockerfilePath = join(projectRoot, spec.dockerfile);
  if (!existsSync(dockerfilePath)) throw new Error(`${spec.dockerfile}: no such Dockerfile`);
  const text = readFileSync(dockerfilePath, 'utf8');
  const sources = copySources(text);
  const hash = createHash('sha256').update(text).update(baseImageId);
  for (const source of sources) {
    const abs = join(projectRoot, source);
    if (!existsSync(abs)) {
      throw new Error(`${spec.dockerfile} copies ${source}, which does not exist (run \`npx tsc -p .\` first)`);
    }
    const files: string[] = [];
    walk(abs, files);
    for (const f of files) hash.update(relative(projectRoot, f)).update('\0').update(readFileSync(f));
  }
  return { hash: hash.digest('hex').slice(0, 16), sources };
}

export interface EnsureOptions extends BaseImageOptions {
  /** Rebuild even when the image is up to date. */
  force?: boolean;
  /** Ends the build and the making of the base image (their requests to the engine are closed,
   *  nothing is tagged: build.ts) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Builds `spec` unless an image with the same context hash exists. Returns true when it built.
 *  Builds of one image are serialised between processes on this host. */
export async function ensureImage(docker: Docker, spec: ImageSpec, options: EnsureOptions = {}): Promise<boolean> {
  const log = options.log ?? (() => undefined);
  const base = await withLock('node-base', () => ensureBaseImage(docker, options), undefined, options.signal);
  const baseId = (await docker.getImage(base).inspect()).Id;
  const { hash, sources } = contextHash(spec, baseId);
  const current = async (): Promise<{ id: string; hash?: string } | undefined> => {
    try {
      const info = await docker.getImage(spec.ref).inspect();
      return { id: info.Id, hash: info.Config?.Labels?.[LABEL.context] };
    } catch {
      return undefined;
    }
  };
  if (!options.force && (await current())?.hash === hash) return false;
  options.signal?.throwIfAborted();
  return withLock(`image-${spec.kind}`, async () => {
    if (!options.force && (await current())?.hash === hash) return false; // another process built it meanwhile
    log(`building ${spec.ref} from ${spec.dockerfile} (BASE_IMAGE=${base})`);
    await buildAndTag(docker, {
      context: projectRoot,
      src: [spec.dockerfile, ...sources],
      ref: spec.ref,
      kind: spec.kind,
      options: {
        dockerfile: spec.dockerfile,
        buildargs: { BASE_IMAGE: base },
        labels: { [LABEL.context]: hash },
        rm: true,
        forcerm: true,
      },
      onLine: (line) => {
        if (/^(Step|Successfully built)/.test(line)) log(`  ${line}`);
      },
      ...(options.signal && { signal: options.signal }),
    });
    // (buildAndTag, under this lock, removed the build it replaced unless a container still uses it)
    options.signal?.throwIfAborted();
    return true;
  }, undefined, options.signal);
}
