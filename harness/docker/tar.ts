/**
 * A tar archive of a few small files and folders, in memory (tar-stream, what dockerode's own
 * build contexts are packed with): what putArchive takes to put files into a container (created
 * or stopped).
 */
import type Docker from 'dockerode';
import tar from 'tar-stream';

export interface TarEntry {
  /** Relative path; a folder ends with `/`. */
  name: string;
  data?: string | Buffer;
  /** Default 0o644 (files), 0o755 (folders). */
  mode?: number;
}

export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    if (entry.name.endsWith('/')) pack.entry({ name: entry.name, type: 'directory', mode: entry.mode ?? 0o755 });
    else pack.entry({ name: entry.name, mode: entry.mode ?? 0o644 }, entry.data ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Puts files into a container (created, running or stopped) under `dir`, which must exist. */
export async function putFiles(container: Docker.Container, dir: string, entries: readonly TarEntry[]): Promise<void> {
  await container.putArchive(await tarOf(entries), { path: dir });
}
