/**
 * The Docker engine, through dockerode (DOCKER_HOST is honoured, else /var/run/docker.sock), and
 * the labels faultline puts on everything it makes, so that a later run or a test can find it.
 */
import Docker from 'dockerode';
import { hostname } from 'node:os';

/** Every object faultline makes carries LABEL.owner=true. */
export const LABEL = {
  owner: 'faultline',
  /** The run id (containers, networks of a run). */
  run: 'faultline.run',
  /** The harness process of the run and its host: a run whose pid is gone left leftovers. */
  pid: 'faultline.pid',
  host: 'faultline.host',
  /** node | toxiproxy */
  role: 'faultline.role',
  node: 'faultline.node',
  system: 'faultline.system',
  /** Images: which image (a system's name, `toxiproxy`, `node-base`) and the hash of what went in. */
  image: 'faultline.image',
  context: 'faultline.context',
} as const;

let shared: Docker | undefined;

export function dockerClient(): Docker {
  shared ??= new Docker();
  return shared;
}

/** Why no Docker engine can be used, or undefined when one answers (within timeoutMs). */
export async function dockerUnavailable(docker: Docker = dockerClient(), timeoutMs = 3000): Promise<string | undefined> {
  const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (err) {
    return `no Docker engine answers at ${where} (${(err as Error).message})`;
  } finally {
    clearTimeout(timer);
  }
}

/** The labels that mark an object as made by this harness process for run `runId`. */
export function runLabels(runId: string): Record<string, string> {
  return { [LABEL.owner]: 'true', [LABEL.run]: runId, [LABEL.pid]: String(process.pid), [LABEL.host]: hostname() };
}

/** Waits for a dockerode progress stream (build, pull, import) to end; rejects on an error in it.
 *  When `signal` aborts, the stream is destroyed (its request closed: the engine cancels the
 *  build or pull) and the wait rejects at once with the signal's reason. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onLine?: (line: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      reject(signal!.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: ProgressEvent[]) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return reject(signal.reason);
        if (err) return reject(err);
        const failed = output.find((o) => o.error || o.errorDetail);
        if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error ?? 'failed'));
        resolve();
      },
      (event: ProgressEvent) => {
        const line = (event.stream ?? event.status ?? '').trimEnd();
        if (line && onLine) onLine(line);
      },
    );
  });
}

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** `work`, or a rejection with the signal's reason as soon as `signal` aborts (`work` then goes
 *  on unobserved: pass it the signal too so that it ends). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
