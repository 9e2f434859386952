/**
 * The durability record of one node's data directory: what a machine crash would leave of it.
 * Written by the preload (./preload.ts) inside the node's process at each fsync, read after the
 * process was SIGKILLed to roll the data directory back to it (the `power-loss` fault). Uses
 * Node's built-ins only: it is copied into containers next to the preload.
 *
 * Semantics (POSIX's promise, stricter than ext4's data=ordered and than LazyFS, which keeps
 * every name change):
 * - a file's data is durable as it was at its last fsync/fdatasync (of any descriptor of it),
 *   or at a writeFile/appendFile with `flush: true`;
 * - a name (a file or folder created, renamed, removed in a folder) is durable once that folder
 *   was fsynced (open the folder, fsync it); a name made durable whose data was never synced
 *   comes back empty; a folder whose own entries were never synced comes back empty;
 * - what was in the data directory when the node started is durable.
 *
 * Layout of `<record>/`: `files/<key>` a file's content at its last sync, `dirs/<key>.json` a
 * folder's names at its last sync (`{name: {file|dir: key} | {link: target}}`), `root` the key of
 * the data directory, `ready` (the preload's pid) once the start-up snapshot is complete,
 * `crashed` (written by the harness) asks the next start to roll back first.
 * A key is the inode number and its birth time, so a reused inode number is a new file.
 */
import { copyFileSync, existsSync, fstatSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';

export type Entry = { file: string } | { dir: string } | { link: string };
export type Listing = Record<string, Entry>;

/** What a roll-back changed: files whose content went back, names that went away, names that came back. */
export interface LossSummary {
  files: number;
  changed: string[];
  removed: string[];
  restored: string[];
}

/** The environment variables the preload reads. */
export const DATA_ENV = 'FAULTLINE_DURABILITY_DATA';
export const RECORD_ENV = 'FAULTLINE_DURABILITY_RECORD';

export const RECORD_FILES = { files: 'files', dirs: 'dirs', root: 'root', ready: 'ready', crashed: 'crashed' } as const;

export function keyOf(stats: BigIntStats): string {
  return `${stats.ino}-${stats.birthtimeNs}`;
}

/** Replaces `file` with `data` so that a kill mid-way leaves the old or the new content. */
function replace(file: string, write: (tmp: string) => void): void {
  const tmp = `${file}.tmp`;
  write(tmp);
  renameSync(tmp, file);
}

export class DurabilityRecord {
  /** The data directory's real path (what /proc/self/fd shows). */
  readonly dataDir: string;

  /** `dataDir` is made when missing. */
  constructor(
    dataDir: string,
    readonly dir: string,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.dataDir = realpathSync(dataDir);
  }

  private filePath(key: string): string {
    return join(this.dir, RECORD_FILES.files, key);
  }

  private dirPath(key: string): string {
    return join(this.dir, RECORD_FILES.dirs, `${key}.json`);
  }

  /** True when `path` (absolute) is the data directory or inside it. */
  covers(path: string): boolean {
    return path === this.dataDir || path.startsWith(this.dataDir.endsWith('/') ? this.dataDir : this.dataDir + '/');
  }

  /** The start-up snapshot: everything in the data directory now is durable. */
  snapshot(): void {
    rmSync(join(this.dir, RECORD_FILES.ready), { force: true });
    rmSync(join(this.dir, RECORD_FILES.files), { recursive: true, force: true });
    rmSync(join(this.dir, RECORD_FILES.dirs), { recursive: true, force: true });
    mkdirSync(join(this.dir, RECORD_FILES.files), { recursive: true });
    mkdirSync(join(this.dir, RECORD_FILES.dirs), { recursive: true });
    const walk = (path: string): string => {
      const key = keyOf(statSync(path, { bigint: true }));
      const listing = this.syncDir(path, key);
      for (const [name, entry] of Object.entries(listing)) {
        const child = join(path, name);
        if ('dir' in entry) walk(child);
        else if ('file' in entry) this.syncFile(child, entry.file);
      }
      return key;
    };
    writeFileSync(join(this.dir, RECORD_FILES.root), walk(this.dataDir));
    writeFileSync(join(this.dir, RECORD_FILES.ready), String(process.pid));
  }

  /** True once a process's preload finished its start-up snapshot. */
  ready(): boolean {
    return existsSync(join(this.dir, RECORD_FILES.ready));
  }

  /** Records the content of the file at `path` (or `/proc/self/fd/N`) under `key`. */
  syncFile(path: string, key: string): void {
    replace(this.filePath(key), (tmp) => copyFileSync(path, tmp));
  }

  /** Records the names of the folder at `path` under `key`; returns them. */
  syncDir(path: string, key: string): Listing {
    const listing: Listing = {};
    for (const name of readdirSync(path)) {
      let stats: BigIntStats;
      try {
        stats = lstatSync(join(path, name), { bigint: true });
      } catch {
        continue; // removed meanwhile
      }
      if (stats.isDirectory()) listing[name] = { dir: keyOf(stats) };
      else if (stats.isSymbolicLink()) listing[name] = { link: readlinkSync(join(path, name)) };
      else if (stats.isFile()) listing[name] = { file: keyOf(stats) };
    }
    replace(this.dirPath(key), (tmp) => writeFileSync(tmp, JSON.stringify(listing)));
    return listing;
  }

  /** Records what an fsync of descriptor `fd` makes durable (nothing when it is outside the data directory). */
  syncDescriptor(fd: number): void {
    let path: string;
    try {
      path = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    if (!this.covers(path)) return;
    const stats = fstatSync(fd, { bigint: true });
    if (stats.isDirectory()) this.syncDir(path, keyOf(stats));
    else if (stats.isFile()) this.syncFile(`/proc/self/fd/${fd}`, keyOf(stats));
  }

  /** Records what a flushed write of the file at `path` made durable. */
  syncPath(path: string): void {
    let stats: BigIntStats;
    try {
      stats = statSync(path, { bigint: true });
    } catch {
      return;
    }
    if (stats.isFile() && this.covers(realpathSync(path))) this.syncFile(path, keyOf(stats));
  }

  /** Rolls the data directory back to the record (the node is not running); says what changed. */
  rollBack(): LossSummary {
    const root = readFileSync(join(this.dir, RECORD_FILES.root), 'utf8');
    const durable = new Map<string, Entry>();
    const collect = (rel: string, key: string): void => {
      const file = this.dirPath(key);
      if (!existsSync(file)) return;
      for (const [name, entry] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Listing)) {
        const path = rel ? `${rel}/${name}` : name;
        durable.set(path, entry);
        if ('dir' in entry) collect(path, entry.dir);
      }
    };
    collect('', root);
    const current = new Map<string, 'file' | 'other'>();
    const walk = (rel: string): void => {
      for (const name of readdirSync(join(this.dataDir, rel))) {
        const path = rel ? `${rel}/${name}` : name;
        const stats = lstatSync(join(this.dataDir, path));
        current.set(path, stats.isFile() ? 'file' : 'other');
        if (stats.isDirectory()) walk(path);
      }
    };
    walk('');
    const summary: LossSummary = { files: 0, changed: [], removed: [], restored: [] };
    const contentOf = (entry: { file: string }): Buffer => {
      const file = this.filePath(entry.file);
      return existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    };
    for (const [path, kind] of current) {
      const entry = durable.get(path);
      if (!entry) summary.removed.push(path);
      else if (kind === 'file' && 'file' in entry && !contentOf(entry).equals(readFileSync(join(this.dataDir, path)))) summary.changed.push(path);
    }
    for (const path of durable.keys()) if (!current.has(path)) summary.restored.push(path);
    // Rebuild the data directory from the record (the folder itself stays).
    for (const name of readdirSync(this.dataDir)) rmSync(join(this.dataDir, name), { recursive: true, force: true });
    for (const [path, entry] of durable) {
      const target = join(this.dataDir, path);
      if ('dir' in entry) mkdirSync(target, { recursive: true });
      else if ('link' in entry) symlinkSync(entry.link, target);
      else {
        writeFileSync(target, contentOf(entry));
        summary.files++;
      }
    }
    rmSync(join(this.dir, RECORD_FILES.crashed), { force: true });
    return summary;
  }
}

/** One line for a log or an op: what a roll-back lost. */
export function describeLoss(summary: LossSummary): string {
  const list = (paths: string[]): string => (paths.length > 5 ? `${paths.slice(0, 5).join(', ')}, ... (${paths.length})` : paths.join(', '));
  const parts: string[] = [];
  if (summary.changed.length) parts.push(`${summary.changed.length} file(s) back to their last fsync (${list(summary.changed)})`);
  if (summary.removed.length) parts.push(`${summary.removed.length} name(s) never made durable removed (${list(summary.removed)})`);
  if (summary.restored.length) parts.push(`${summary.restored.length} name(s) whose removal was not durable back (${list(summary.restored)})`);
  return parts.length ? parts.join('; ') : 'nothing was lost (every write had been fsynced)';
}
