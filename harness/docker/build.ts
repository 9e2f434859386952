/**
 * One image build on the engine, tagged only once it has succeeded and the run's signal has not
 * aborted. On abort the build's request is closed (the engine cancels a RUN step) and the build
 * rejects with the signal's reason at once. Docker 20.10's builder may still finish the other
 * steps without its client: that leaves an untagged image labelled with its kind, which the next
 * build of that kind removes (old-builds.ts); a half-made or unwanted image is never tagged.
 */
import type Docker from 'dockerode';
import { followProgress } from './client.js';

export interface BuildRequest {
  /** The build context folder and the paths in it to send. */
  context: string;
  src: string[];
  /** The name to tag the image with once built (`repo:tag`). */
  ref: string;
  /** Engine build options (labels, buildargs, dockerfile, ...), without `t`. */
  options: Omit<Docker.ImageBuildOptions, 't' | 'abortSignal'>;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** Builds and tags; returns the image id (as the engine printed it). */
export async function buildAndTag(docker: Docker, request: BuildRequest): Promise<string> {
  const { signal } = request;
  signal?.throwIfAborted();
  const stream = await docker
    .buildImage({ context: request.context, src: request.src }, { ...request.options, ...(signal && { abortSignal: signal }) })
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
  return built;
}

/** `repo[:tag]` (a registry's port is not a tag) as dockerode's tag options. */
function splitRef(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: 'latest' };
}
