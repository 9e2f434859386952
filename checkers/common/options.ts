/** Reading checker options (from a campaign's YAML) with errors that name the checker and option. */

export class CheckerOptionError extends Error {
  constructor(checker: string, option: string, problem: string) {
    super(`checker "${checker}": option "${option}" ${problem}`);
    this.name = 'CheckerOptionError';
  }
}

export function booleanOption(options: Record<string, unknown>, checker: string, name: string, fallback: boolean): boolean {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new CheckerOptionError(checker, name, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function numberOption(
  options: Record<string, unknown>,
  checker: string,
  name: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CheckerOptionError(checker, name, `must be a number, got ${JSON.stringify(v)}`);
  if (range.min !== undefined && v < range.min) throw new CheckerOptionError(checker, name, `must be at least ${range.min}, got ${v}`);
  if (range.max !== undefined && v > range.max) throw new CheckerOptionError(checker, name, `must be at most ${range.max}, got ${v}`);
  return v;
}

export function stringListOption<T extends string>(
  options: Record<string, unknown>,
  checker: string,
  name: string,
  allowed: readonly T[],
): T[] | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new CheckerOptionError(checker, name, `must be a list of: ${allowed.join(', ')}`);
  return v.map((item) => {
    if (typeof item !== 'string' || !(allowed as readonly string[]).includes(item))
      throw new CheckerOptionError(checker, name, `has ${JSON.stringify(item)}; choose from: ${allowed.join(', ')}`);
    return item as T;
  });
}

/** Refuses options the checker does not know (a typo in a campaign should not pass silently). */
export function rejectUnknownOptions(options: Record<string, unknown>, checker: string, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new CheckerOptionError(checker, name, `is unknown; known options: ${known.length ? known.join(', ') : 'none'}`);
  }
}
