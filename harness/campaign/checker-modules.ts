/** Checkers a campaign names by module path (`checkers: [./safety.js]`), as workloads and faults can be. */
import type { Checker } from '../../core/checker.js';
import { importUserModule } from './user-module.js';

/** Imports a checker module (export `checker`, or a default export, made with defineChecker or
 *  composeCheckers). Resolves to the checker, or to what is wrong with the module. */
export async function importChecker(file: string): Promise<Checker | string> {
  return importUserModule(file, {
    kind: 'checker',
    exportName: 'checker',
    is: isChecker,
    usage: 'export const checker = defineChecker({name, description, options, check}) or composeCheckers({...})',
  });
}

function isChecker(value: unknown): value is Checker {
  if (value === null || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  return typeof c.name === 'string' && typeof c.check === 'function';
}
