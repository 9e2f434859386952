/** Faults a campaign names by module path (`type: ./flaky-disk.js`), as workloads can be. */
import { resolve } from 'node:path';
import type { AnyFault } from '../../core/fault.js';
import { isPathRef } from '../campaign/find.js';
import { importUserModule } from '../campaign/user-module.js';

/** Imports a fault module (export `fault`, or a default export, made with defineFault).
 *  Resolves to the fault, or to what is wrong with the module. */
export async function importFault(file: string): Promise<AnyFault | string> {
  return importUserModule(file, {
    kind: 'fault',
    exportName: 'fault',
    is: isFault,
    usage: 'export const fault = defineFault({name, description, options, plan, describe, start, style})',
  });
}

function isFault(value: unknown): value is AnyFault {
  if (value === null || typeof value !== 'object') return false;
  const f = value as Record<string, unknown>;
  const options = f.options as { safeParse?: unknown } | undefined;
  return (
    typeof f.name === 'string' &&
    typeof f.description === 'string' &&
    typeof options?.safeParse === 'function' &&
    typeof f.plan === 'function' &&
    typeof f.describe === 'function' &&
    typeof f.start === 'function' &&
    typeof f.style === 'object' &&
    f.style !== null
  );
}

/** The faults a campaign's nemesis (`raw`, the campaign as parsed YAML) names by module path,
 *  keyed by that path as written; a module that cannot be used is a problem at its `type`. */
export async function loadFaultModules(
  raw: unknown,
  baseDir: string,
  problem: (path: (string | number)[], message: string) => void,
): Promise<Map<string, AnyFault>> {
  const loaded = new Map<string, AnyFault>();
  const nemesis = (raw as { nemesis?: Record<string, unknown> } | null)?.nemesis;
  for (const list of ['faults', 'timeline'] as const) {
    const entries = nemesis?.[list];
    if (!Array.isArray(entries)) continue;
    for (const [i, entry] of entries.entries()) {
      const type = (entry as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !isPathRef(type) || loaded.has(type)) continue;
      const fault = await importFault(resolve(baseDir, type));
      if (typeof fault === 'string') problem(['nemesis', list, i, 'type'], fault);
      else loaded.set(type, fault);
    }
  }
  return loaded;
}
