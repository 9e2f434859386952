/**
 * A tar archive (ustar) of a few small files and folders, in memory: what putArchive takes to
 * put files into a container (created or stopped). Names up to 100 bytes.
 */
import type Docker from 'dockerode';

export interface TarEntry {
  /** Relative path; a folder ends with `/`. */
  name: string;
  data?: string | Buffer;
  /** Default 0o644 (files), 0o755 (folders). */
  mode?: number;
}

function header(name: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name longer than 100 bytes: ${name}`);
  const octal = (value: number, length: number, at: number): void => {
    h.write(value.toString(8).padStart(length - 1, '0') + '\0', at, length, 'ascii');
  };
  h.write(name, 0, 100, 'utf8');
  octal(mode, 8, 100);
  octal(0, 8, 108);
  octal(0, 8, 116);
  octal(size, 12, 124);
  octal(Math.floor(Date.now() / 1000), 12, 136);
  h.write(' '.repeat(8), 148, 8, 'ascii');
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0' + '00', 257, 8, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

export function tarOf(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.name.endsWith('/')) {
      parts.push(header(entry.name, 0, entry.mode ?? 0o755, '5'));
      continue;
    }
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data ?? '');
    parts.push(header(entry.name, data.length, entry.mode ?? 0o644, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Puts files into a container (created, running or stopped) under `dir`, which must exist. */
export async function putFiles(container: Docker.Container, dir: string, entries: readonly TarEntry[]): Promise<void> {
  await container.putArchive(tarOf(entries), { path: dir });
}
