import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../import/index.js';
import { checkLinearizability } from './check.js';

/** The shared histories of porcupine and knossos (never copied into the project). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/histories');
const SETS: Record<string, { format: string; initial?: unknown }> = {
  'porcupine-etcd': { format: 'jepsen-log' },
  'porcupine-kv': { format: 'edn' },
  'knossos-cas-register': { format: 'edn', initial: 0 },
};

const present = existsSync(ROOT);
if (!present) console.warn(`skipping shared histories: ${ROOT} is absent`);

describe.skipIf(!present)('shared histories get the verdict their EXPECTED file gives', () => {
  for (const [set, { format, initial }] of Object.entries(SETS)) {
    const dir = join(ROOT, set);
    const expected = existsSync(join(dir, 'EXPECTED'))
      ? readFileSync(join(dir, 'EXPECTED'), 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => l.trim().split(/\s+/) as [string, string])
      : [];
    it(`${set} has histories`, () => expect(expected.length).toBeGreaterThan(0));
    for (const [file, verdict] of expected) {
      it(`${set}/${file} is ${verdict}`, async () => {
        const imported = parseHistory(readFileSync(join(dir, file), 'utf8'));
        expect(imported.format).toBe(format);
        const r = await checkLinearizability(imported.ops, { initial, timeLimitMs: 20_000 });
        expect(r.valid).toBe(verdict === 'linearizable' ? true : false);
        if (r.valid === false) expect(r.failures[0]!.explanation).toMatch(/cannot take effect/);
      });
    }
  }
});
