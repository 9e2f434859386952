/** Checkers a campaign names by module path (`checkers: [./safety.js]`), as workloads and faults can be. */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Checker } from '../../core/checker.js';

/** Imports a checker module (export `checker`, or a default export, made with defineChecker or
 *  composeCheckers). Resolves to the checker, or to what is wrong with the module. */
export async function importChecker(file: string): Promise<Checker | string> {
  if (!existsSync(file)) return `checker module ${file} does not exist`;
  let mod: { checker?: unknown; default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (err) {
    return `cannot load checker module ${file}: ${(err as Error).message}`;
  }
  const checker = mod.checker ?? mod.default;
  if (!isChecker(checker)) return `${file} exports no checker (export const checker = defineChecker({name, description, options, check}) or composeCheckers({...}))`;
  return checker;
}

function isChecker(value: unknown): value is Checker {
  if (value === null || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  return typeof c.name === 'string' && typeof c.check === 'function';
}
