/** Loads a module a campaign names by path (a workload, fault or checker written by the user). */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** What a user module must export: `kind` names it in messages; the module exports it as
 *  `exportName` or as its default export; `is` tells whether that export is usable, and `usage`
 *  shows how to write one when it is not. */
export interface UserModuleKind<T> {
  kind: string;
  exportName: string;
  is: (value: unknown) => value is T;
  usage: string;
}

/** Imports `file` and resolves to its export, or to a one-line message saying what is wrong. */
export async function importUserModule<T>(file: string, expected: UserModuleKind<T>): Promise<T | string> {
  const { kind, exportName, is, usage } = expected;
  if (!existsSync(file)) return `${kind} module ${file} does not exist`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    return `cannot load ${kind} module ${file}: ${(err as Error).message}`;
  }
  const value = mod[exportName] ?? mod.default;
  if (!is(value)) return `${file} exports no ${kind} (${usage})`;
  return value;
}
