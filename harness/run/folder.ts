/** The run folder: runs/<campaign>/<timestamp>/ and the runs/latest link to the newest. */
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';

export interface RunFolder {
  runId: string;
  dir: string;
}

export function createRunFolder(outDir: string, campaignName: string, now = new Date()): RunFolder {
  const base = resolve(outDir, ...campaignName.split('/'));
  const stamp = now.toISOString().replace(/:/g, '-');
  let runId = stamp;
  for (let i = 1; existsSync(join(base, runId)); i++) runId = `${stamp}-${i}`;
  const dir = join(base, runId);
  try {
    mkdirSync(join(dir, 'logs'), { recursive: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`--out ${outDir}: cannot make the run folder ${dir}: ${e.code === 'ENOTDIR' || e.code === 'EEXIST' ? 'a file is in the way' : e.code === 'EACCES' || e.code === 'EROFS' ? 'not writable' : e.message} (${e.code ?? 'error'})`);
  }
  linkLatest(outDir, dir);
  return { runId, dir };
}

/** Points <outDir>/latest at `dir` (replacing the old link in one step). */
export function linkLatest(outDir: string, dir: string): void {
  const link = resolve(outDir, 'latest');
  const tmp = `${link}.${process.pid}.tmp`;
  try {
    rmSync(tmp, { force: true });
    symlinkSync(relative(resolve(outDir), dir), tmp);
    renameSync(tmp, link);
  } catch {
    rmSync(tmp, { force: true });
  }
}

export const RUN_FILES = {
  campaign: 'campaign.yaml',
  history: 'history.jsonl',
  results: 'results.json',
  net: 'net.jsonl',
  plan: 'plan.json',
} as const;
