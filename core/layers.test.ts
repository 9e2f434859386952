/**
 * The layering of docs/engine.md, checked on the import graph: core (the contracts, bottom) <
 * checkers, workloads < reports < harness < api, bench; systems import nothing of faultline's.
 * Tests and test support (*.test.ts, testing.ts, testing/) may reach across layers.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const RANK: Record<string, number> = { core: 0, checkers: 1, workloads: 1, reports: 2, harness: 3, api: 4, bench: 4 };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : sources(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const isTestSupport = (file: string): boolean => /\.test\.ts$|(^|\/)testing(\.ts$|\/)/.test(file);

/** Every import of a shipped source file that goes up a layer, or sideways between checkers and workloads. */
function layerViolations(root: string): string[] {
  const out: string[] = [];
  for (const layer of [...Object.keys(RANK), 'systems']) {
    let files: string[] = [];
    try {
      files = sources(join(root, layer));
    } catch {
      continue; // no such folder
    }
    for (const file of files) {
      const rel = relative(root, file);
      if (isTestSupport(rel)) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = normalize(join(dirname(rel), m[1]!));
        const to = target.split('/')[0]!;
        if (to === layer) continue;
        const bad = layer === 'systems' || to === 'systems' ? layer === 'systems' || !['harness', 'bench'].includes(layer) : (RANK[to] ?? 99) >= RANK[layer]!;
        if (bad) out.push(`${rel} imports ${target} (${layer} may not import ${to})`);
      }
    }
  }
  return out;
}

describe('layers', () => {
  it('no shipped module imports a layer above its own', () => {
    expect(layerViolations(projectRoot)).toEqual([]);
  });

  it('the check sees an upward import, a sideways one and one out of systems, and lets tests through', () => {
    const root = mkdtempSync(join(tmpdir(), 'faultline-layers-'));
    try {
      const write = (file: string, text: string) => {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      };
      write('core/op.ts', "import { run } from '../harness/run.js';\n");
      write('checkers/a.ts', "import type { W } from '../workloads/w.js';\nimport type { Op } from '../core/op.js';\n");
      write('systems/s/main.ts', "import { x } from '../../harness/x.js';\n");
      write('harness/run.ts', "import { a } from '../checkers/a.js';\nimport { s } from '../systems/s/main.js';\n");
      write('harness/run.test.ts', "import { r } from '../api/r.js';\n");
      expect(layerViolations(root)).toEqual([
        'core/op.ts imports harness/run.js (core may not import harness)',
        'checkers/a.ts imports workloads/w.js (checkers may not import workloads)',
        'systems/s/main.ts imports harness/x.js (systems may not import harness)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
