/**
 * What a fresh process loads to check a history (`faultline check`, the public API's
 * checkHistory): the static imports of the checker's library, followed through its own modules.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** The packages (npm and node:) that loading `file` loads, through the relative modules it
 *  imports; type-only imports load nothing. */
function packagesLoadedBy(file: string, seen = new Set<string>(), out = new Set<string>()): Set<string> {
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)) {
    if (m[1]) continue;
    const target = (m[2] ?? m[3])!;
    if (target.startsWith('.')) packagesLoadedBy(normalize(join(dirname(file), target.replace(/\.js$/, '.ts'))), seen, out);
    else out.add(target);
  }
  return out;
}

describe('what checking a history loads', () => {
  it('the library (index.ts) does not load zod nor start loading worker threads', () => {
    const loaded = packagesLoadedBy(join(here, 'index.ts'));
    expect(loaded.has('zod')).toBe(false);
    expect(loaded.has('node:worker_threads')).toBe(false);
    expect(loaded.has('node:os')).toBe(true); // the walk does reach the checker's modules
  });

  it('the campaign checker (adapter.ts) does load zod: the walk sees it', () => {
    expect(packagesLoadedBy(join(here, 'adapter.ts')).has('zod')).toBe(true);
  });
});
