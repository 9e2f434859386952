/**
 * One image build on the engine, tagged only once it has succeeded and the run's signal has not
 * aborted. On abort the build's request is closed (the engine cancels a RUN step) and the build
 * rejects with the signal's reason at once. Docker 20.10's builder may still finish the other
 * steps without its client: that leaves an untagged image labelled with its kind; a half-made or
 * unwanted image is never tagged. Once a build is tagged, the untagged builds of its kind that no
 * container uses go (old-builds.ts): the one it replaced, and any such leftover.
 */
import type Docker from 'dockerode';
import { followProgress, LABEL } from './client.js';
import { removeUnusedOldBuilds } from './old-builds.js';

export interface BuildRequest {
  /** The build context folder and the paths in it to send. */
  context: string;
  src: string[];
  /** The name to tag the image with once built (`repo:tag`). */
  ref: string;
  /** What the image is (LABEL.image: a system's name, `toxiproxy`, `node-base`); the image is
   *  labelled with it and as faultline's own. */
  kind: string;
  /** Engine build options (more labels, buildargs, dockerfile, ...), without `t`. */
  options: Omit<Docker.ImageBuildOptions, 't' | 'abortSignal'>;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Builds and tags, then removes the unused old builds of the kind; returns the image id (as the
 * engine printed it). Call it under the build lock of the kind (lock.ts), so that no other build
 * of it is between its commit and its tag when the old ones go.
 */
export async function buildAndTag(docker: Docker, request: BuildRequest): Promise<string> {
  const { signal } = request;
  signal?.throwIfAborted();
  const labels = { ...request.options.labels, [LABEL.owner]: 'true', [LABEL.image]: request.kind };
  const stream = await docker
    .buildImage({ context: request.context, src: request.src }, { ...request.options, labels, ...(signal && { abortSignal: signal }) })
    .catch((err: unknown) => {
      signal?.throwIfAborted(); // the signal's reason, whatever the engine's client made of it
      throw err;
    });
  let built: string | undefined;
  await followProgress(
    docker,
    stream,
    (line) => {
      built = /^Successfully built ([0-9a-f]+)/.exec(line)?.[1] ?? built;
      request.onLine?.(line);
    },
    signal,
  );
  if (!built) throw new Error(`building ${request.ref}: the engine did not say which image it built`);
  signal?.throwIfAborted();
  await docker.getImage(built).tag(splitRef(request.ref));
  await removeUnusedOldBuilds(docker, request.kind);
  return built;
}

/** `repo[:tag]` (a registry's port is not a tag) as dockerode's tag options. */
function splitRef(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: 'latest' };
}
