/**
 * The Node.js base image the system images build FROM (their `ARG BASE_IMAGE`). In order:
 * $BASE_IMAGE when set; `node:20-slim` when the engine has it or can pull it; otherwise an image
 * made from this host's own Node.js (the `node` binary and the libraries `ldd` lists, FROM
 * scratch), so images build where no registry is reachable. Making it ends within a second of
 * the run's signal aborting (Ctrl-C): the pull's or build's request is closed (the engine cancels
 * it, nothing is tagged), the temporary build context is removed, and it rejects with the
 * signal's reason.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { buildAndTag } from './build.js';
import { abortable, followProgress, LABEL } from './client.js';

export const DEFAULT_BASE_IMAGE = 'node:20-slim';
export const HOST_NODE_IMAGE = 'faultline-node-base';

export async function imageExists(docker: Docker, ref: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await abortable(docker.getImage(ref).inspect(), signal);
    return true;
  } catch {
    signal?.throwIfAborted();
    return false;
  }
}

/** Pulls `ref`; false (not an error) when no registry answers within timeoutMs; rejects with the
 *  signal's reason (the pull's request closed) when `signal` aborts. */
export async function tryPull(docker: Docker, ref: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
  const either = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  try {
    const stream = (await docker.pull(ref, { abortSignal: either })) as NodeJS.ReadableStream;
    await followProgress(docker, stream, undefined, either);
    return true;
  } catch {
    signal?.throwIfAborted();
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
  /** Ends making the base image (Ctrl-C): rejects with the signal's reason, nothing tagged. */
  signal?: AbortSignal;
}

/** The base image reference to build the system images with (made if needed). */
export async function ensureBaseImage(docker: Docker, options: BaseImageOptions = {}): Promise<string> {
  const log = options.log ?? (() => undefined);
  const { signal } = options;
  const wanted = process.env.BASE_IMAGE;
  if (wanted) {
    if (await imageExists(docker, wanted, signal)) return wanted;
    if (await tryPull(docker, wanted, options.pullTimeoutMs ?? 120_000, signal)) return wanted;
    throw new Error(`BASE_IMAGE=${wanted}: the engine does not have this image and cannot pull it`);
  }
  if (await imageExists(docker, DEFAULT_BASE_IMAGE, signal)) return DEFAULT_BASE_IMAGE;
  const hostRef = `${HOST_NODE_IMAGE}:${process.versions.node}`;
  if (await imageExists(docker, hostRef, signal)) return hostRef;
  const pull = options.pull ?? process.env.FAULTLINE_NO_PULL !== '1';
  if (pull) {
    log(`pulling ${DEFAULT_BASE_IMAGE}...`);
    if (await tryPull(docker, DEFAULT_BASE_IMAGE, options.pullTimeoutMs ?? 60_000, signal)) return DEFAULT_BASE_IMAGE;
    log(`cannot pull ${DEFAULT_BASE_IMAGE} (no registry reachable); making ${hostRef} from this host's Node.js`);
  }
  await buildHostNodeImage(docker, hostRef, log, signal);
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

/**
 * FROM scratch + this host's node and its libraries: a minimal image that runs `node`, tagged
 * `ref` once built (build.ts: an aborted build tags nothing; what the engine still finished
 * without its client is removed once the next build of it is tagged).
 */
export async function buildHostNodeImage(docker: Docker, ref: string, log: (line: string) => void = () => undefined, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const context = mkdtempSync(join(tmpdir(), 'faultline-node-base-'));
  try {
    const rootfs = join(context, 'rootfs');
    const put = (from: string, to: string): void => {
      signal?.throwIfAborted();
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
    await buildAndTag(docker, {
      context,
      src: ['Dockerfile', 'rootfs'],
      ref,
      kind: 'node-base',
      options: { forcerm: true },
      onLine: log,
      ...(signal && { signal }),
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
