/**
 * The Node.js base image the system images build FROM (their `ARG BASE_IMAGE`). In order:
 * $BASE_IMAGE when set; `node:20-slim` when the engine has it or can pull it; otherwise an image
 * made from this host's own Node.js (the `node` binary and the libraries `ldd` lists, FROM
 * scratch), so images build where no registry is reachable.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { followProgress, LABEL } from './client.js';

export const DEFAULT_BASE_IMAGE = 'node:20-slim';
export const HOST_NODE_IMAGE = 'faultline-node-base';

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Pulls `ref`; false (not an error) when no registry answers within timeoutMs. */
export async function tryPull(docker: Docker, ref: string, timeoutMs: number): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const stream = (await docker.pull(ref, { abortSignal: abort.signal })) as NodeJS.ReadableStream;
    await followProgress(docker, stream);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export interface BaseImageOptions {
  /** Progress lines. */
  log?: (line: string) => void;
  /** Try a registry for node:20-slim (default: unless FAULTLINE_NO_PULL=1). */
  pull?: boolean;
  pullTimeoutMs?: number;
}

/** The base image reference to build the system images with (made if needed). */
export async function ensureBaseImage(docker: Docker, options: BaseImageOptions = {}): Promise<string> {
  const log = options.log ?? (() => undefined);
  const wanted = process.env.BASE_IMAGE;
  if (wanted) {
    if (await imageExists(docker, wanted)) return wanted;
    if (await tryPull(docker, wanted, options.pullTimeoutMs ?? 120_000)) return wanted;
    throw new Error(`BASE_IMAGE=${wanted}: the engine does not have this image and cannot pull it`);
  }
  if (await imageExists(docker, DEFAULT_BASE_IMAGE)) return DEFAULT_BASE_IMAGE;
  const hostRef = `${HOST_NODE_IMAGE}:${process.versions.node}`;
  if (await imageExists(docker, hostRef)) return hostRef;
  const pull = options.pull ?? process.env.FAULTLINE_NO_PULL !== '1';
  if (pull) {
    log(`pulling ${DEFAULT_BASE_IMAGE}...`);
    if (await tryPull(docker, DEFAULT_BASE_IMAGE, options.pullTimeoutMs ?? 60_000)) return DEFAULT_BASE_IMAGE;
    log(`cannot pull ${DEFAULT_BASE_IMAGE} (no registry reachable); making ${hostRef} from this host's Node.js`);
  }
  await buildHostNodeImage(docker, hostRef, log);
  return hostRef;
}

/** The shared libraries a dynamically linked executable needs, as ldd lists them. */
export function sharedLibraries(executable: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [executable], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return []; // statically linked ("not a dynamic executable") or no ldd
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s*\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

/** FROM scratch + this host's node and its libraries: a minimal image that runs `node`. */
export async function buildHostNodeImage(docker: Docker, ref: string, log: (line: string) => void = () => undefined): Promise<void> {
  const context = mkdtempSync(join(tmpdir(), 'faultline-node-base-'));
  try {
    const rootfs = join(context, 'rootfs');
    const put = (from: string, to: string): void => {
      mkdirSync(join(rootfs, dirname(to)), { recursive: true });
      copyFileSync(realpathSync(from), join(rootfs, to));
    };
    put(process.execPath, '/usr/local/bin/node');
    chmodSync(join(rootfs, 'usr/local/bin/node'), 0o755);
    for (const lib of sharedLibraries(process.execPath)) put(lib, lib);
    mkdirSync(join(rootfs, 'tmp'), { recursive: true });
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(join(rootfs, 'etc/nsswitch.conf'), 'hosts: files dns\n');
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n');
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
    writeFileSync(
      join(context, 'Dockerfile'),
      ['FROM scratch', 'COPY rootfs/ /', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', 'CMD ["node"]', ''].join('\n'),
    );
    const stream = await docker.buildImage(
      { context, src: ['Dockerfile', 'rootfs'] },
      { t: ref, forcerm: true, labels: { [LABEL.owner]: 'true', [LABEL.image]: 'node-base' } },
    );
    await followProgress(docker, stream, log);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
