/**
 * Loaded into a node's Node.js process (`NODE_OPTIONS=--import <this file>`) when a run plans a
 * `power-loss`: keeps the durability record of the node's data directory (./record.ts) by
 * wrapping Node's sync calls: fsync/fdatasync (sync, callback, and FileHandle.sync/datasync) and
 * writeFile/appendFile with `flush: true` (sync, callback, promises). Before the node's code runs
 * it rolls the data directory back when the harness left a `crashed` mark (docker: the harness
 * cannot remove files in a stopped container), then snapshots it as durable.
 *
 * Environment: FAULTLINE_DURABILITY_DATA (the data directory), FAULTLINE_DURABILITY_RECORD
 * (where the record goes). Both are removed from process.env, so programs the node starts do
 * not keep a record of their own. Writes done by other programs, or through mmap, are not seen.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { DATA_ENV, DurabilityRecord, describeLoss, RECORD_ENV, RECORD_FILES } from './record.js';

type Callback = (...args: unknown[]) => void;

function flushed(options: unknown): boolean {
  return typeof options === 'object' && options !== null && (options as { flush?: unknown }).flush === true;
}

function pathOf(file: unknown): string | undefined {
  if (typeof file === 'string') return file;
  if (file instanceof URL) return file.pathname;
  if (Buffer.isBuffer(file)) return file.toString();
  return undefined;
}

/** Wraps the sync calls of `fs` so that each records what it makes durable before it returns. */
async function install(record: DurabilityRecord): Promise<void> {
  const bySync = (fd: unknown): void => {
    if (typeof fd === 'number') record.syncDescriptor(fd);
  };
  const byPath = (file: unknown, options: unknown): void => {
    if (!flushed(options)) return;
    if (typeof file === 'number') return bySync(file);
    const path = pathOf(file);
    if (path !== undefined) record.syncPath(path);
  };
  const patch = <K extends keyof typeof fs>(name: K, wrap: (original: (typeof fs)[K]) => (typeof fs)[K]): void => {
    (fs as unknown as Record<string, unknown>)[name] = wrap(fs[name]);
  };
  for (const name of ['fsyncSync', 'fdatasyncSync'] as const) {
    patch(name, (original) => (fd: number) => {
      bySync(fd);
      original(fd);
    });
  }
  for (const name of ['fsync', 'fdatasync'] as const) {
    patch(name, (original) => ((fd: number, callback: fs.NoParamCallback) => {
      try {
        bySync(fd);
      } catch (err) {
        process.nextTick(callback, err);
        return;
      }
      original(fd, callback);
    }) as typeof original);
  }
  for (const name of ['writeFileSync', 'appendFileSync'] as const) {
    patch(name, (original) => ((file: unknown, data: unknown, options?: unknown) => {
      (original as (...a: unknown[]) => void)(file, data, options);
      byPath(file, options);
    }) as typeof original);
  }
  for (const name of ['writeFile', 'appendFile'] as const) {
    patch(name, (original) => ((file: unknown, data: unknown, ...rest: unknown[]) => {
      const callback = rest.pop() as Callback;
      const options = rest[0];
      (original as (...a: unknown[]) => void)(file, data, ...rest, (err: unknown) => {
        if (!err) {
          try {
            byPath(file, options);
          } catch (recordErr) {
            return callback(recordErr);
          }
        }
        callback(err);
      });
    }) as typeof original);
  }
  const promises = fs.promises as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of ['writeFile', 'appendFile'] as const) {
    const original = promises[name]!;
    promises[name] = async (file: unknown, data: unknown, options?: unknown) => {
      await original(file, data, options);
      // a FileHandle: record by its descriptor
      byPath(typeof file === 'object' && file !== null && 'fd' in file ? (file as { fd: number }).fd : file, options);
    };
  }
  // FileHandle: its class is reached through a handle (it is not exported).
  const handle = await fs.promises.open(record.dataDir, 'r');
  const proto = Object.getPrototypeOf(handle) as Record<string, (this: { fd: number }, ...a: unknown[]) => Promise<unknown>>;
  await handle.close();
  for (const name of ['sync', 'datasync'] as const) {
    const original = proto[name]!;
    proto[name] = async function (this: { fd: number }) {
      bySync(this.fd);
      return original.call(this);
    };
  }
  for (const name of ['writeFile', 'appendFile'] as const) {
    const original = proto[name]!;
    proto[name] = async function (this: { fd: number }, data: unknown, options?: unknown) {
      const result = await original.call(this, data, options);
      if (flushed(options)) bySync(this.fd);
      return result;
    };
  }
  syncBuiltinESMExports();
}

const dataDir = process.env[DATA_ENV];
const recordDir = process.env[RECORD_ENV];
delete process.env[DATA_ENV];
delete process.env[RECORD_ENV];
if (dataDir && recordDir) {
  const record = new DurabilityRecord(dataDir, recordDir);
  if (fs.existsSync(`${recordDir}/${RECORD_FILES.crashed}`)) {
    if (fs.existsSync(`${recordDir}/${RECORD_FILES.root}`)) process.stderr.write(`[faultline] power loss: ${describeLoss(record.rollBack())}\n`);
    fs.rmSync(`${recordDir}/${RECORD_FILES.crashed}`, { force: true });
  }
  record.snapshot();
  await install(record);
}
