/** Finds a campaign file from what the user typed: a path, or a name under campaigns/. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { projectRoot } from '../descriptor.js';
import { UserError } from '../../core/errors.js';

export const campaignsDir = join(projectRoot, 'campaigns');

export interface CampaignRef {
  file: string;
  /** `raft-partitions`, `bugs/raft-stale-reads`: the path under campaigns/ without `.yaml`. */
  name: string;
}

export function findCampaignFile(ref: string): CampaignRef {
  const candidates = [ref, `${ref}.yaml`, `${ref}.yml`].map((c) => resolve(c));
  for (const c of candidates) if (isFile(c)) return { file: c, name: nameOf(c) };
  for (const ext of ['.yaml', '.yml', '']) {
    const file = join(campaignsDir, `${ref}${ext}`);
    if (isFile(file)) return { file, name: nameOf(file) };
  }
  const known = listCampaignNames();
  throw new UserError(
    `unknown campaign "${ref}": no such file, and no campaigns/${ref}.yaml; known campaigns: ${known.join(', ') || '(none)'}`,
  );
}

function nameOf(file: string): string {
  const rel = relative(campaignsDir, file);
  const inside = !rel.startsWith('..') && !rel.startsWith(sep);
  const base = inside ? rel.split(sep).join('/') : basename(file);
  return base.replace(/\.ya?ml$/, '').toLowerCase().replace(/[^a-z0-9/_-]/g, '-');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Every campaign under campaigns/ (subfolders too), by name. */
export function listCampaignNames(dir: string = campaignsDir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) out.push(nameOf(full));
    }
  };
  walk(dir);
  return out.sort();
}

/** `./x`, `../x`, `/x`, `x.yaml`, `x.js`: a file rather than a registry name. */
export function isPathRef(ref: string): boolean {
  return isAbsolute(ref) || ref.startsWith('./') || ref.startsWith('../') || /\.(ya?ml|m?js)$/.test(ref);
}
