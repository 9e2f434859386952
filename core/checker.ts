/** The checker contract (shared/DESIGN.md): a pure function from a history to a verdict. */
import { z } from 'zod';
import type { Op } from './op.js';
import type { CheckResult } from './result.js';
import { fieldsAt } from './schema-fields.js';

export interface Checker {
  /** The name campaigns use. */
  name: string;
  /** One sentence, for `faultline list checkers`. */
  description: string;
  /** Its options as a zod schema (a strict object): the campaign's options are checked against
   *  it at load, before any node starts, an unknown or misspelt one refused with the valid names;
   *  `faultline list checkers` lists its fields. */
  options: z.ZodType;
  /** Checks a history; `options` as the campaign gives them (the checker parses them with `options`). */
  check(history: readonly Op[], options: Record<string, unknown>): CheckResult | Promise<CheckResult>;
}

/** A checker that takes no options. */
export const NO_OPTIONS = z.strictObject({});

/** What `defineChecker` takes: `check` gets the options as its schema parsed them (defaults filled). */
export interface CheckerDefinition<S extends z.ZodType<Record<string, unknown>, Record<string, unknown>>> {
  name: string;
  description: string;
  /** A zod schema of the options, a strict object (`z.strictObject`); none: the checker takes no options. */
  options?: S;
  check(history: readonly Op[], options: z.output<S>): CheckResult | Promise<CheckResult>;
}

/** A checker option its schema refuses (the checker was called with options not checked at load). */
export class CheckerOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckerOptionError';
  }
}

/** One thing wrong with a checker's options: where (a path inside them) and what. */
export interface OptionProblem {
  path: (string | number)[];
  message: string;
  /** An option name the schema does not have (the message names it and the valid ones). */
  unknown?: true;
}

/** Checks options against a checker's schema: its parsed options, or every problem, each saying
 *  the checker; an unknown option names the valid ones. */
export function parseCheckerOptions(
  checker: string,
  schema: z.ZodType,
  options: unknown,
): { ok: true; options: Record<string, unknown> } | { ok: false; problems: OptionProblem[] } {
  const parsed = schema.safeParse(options ?? {}, { reportInput: true });
  if (parsed.success) return { ok: true, options: parsed.data as Record<string, unknown> };
  const problems: OptionProblem[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const valid = fieldsAt(schema, path);
      const what = path.length === 0 ? 'option' : 'field';
      // A schema's own message for an unknown key (e.g. where a removed option went) is kept.
      const hint = /^Unrecognized keys?\b/.test(issue.message) ? '' : `; ${issue.message}`;
      for (const key of issue.keys) problems.push({ path: [...path, key], message: `unknown ${what} "${key}" for checker ${checker}; valid ${what}s: ${valid.join(', ') || '(none)'}${hint}`, ...(path.length === 0 ? { unknown: true as const } : {}) });
    } else if (issue.code === 'invalid_value') {
      problems.push({ path, message: `checker ${checker}: ${describe(issue.input)} is not allowed; valid choices: ${issue.values.map(String).join(', ')}` });
    } else if (issue.code === 'invalid_type' && issue.input !== undefined) {
      problems.push({ path, message: `checker ${checker}: expected ${issue.expected}, got ${describe(issue.input)}` });
    } else {
      problems.push({ path, message: `checker ${checker}: ${issue.message}` });
    }
  }
  return { ok: false, problems };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

/** A checker's options parsed by its schema; throws `CheckerOptionError` naming each problem. */
export function checkerOptions<S extends z.ZodType>(checker: string, schema: S, options: unknown): z.output<S> {
  const parsed = parseCheckerOptions(checker, schema, options);
  if (parsed.ok) return parsed.options as z.output<S>;
  throw new CheckerOptionError(optionProblemsText(parsed.problems));
}

/** Option problems as one line: each prefixed with its path inside the options (an unknown
 *  option's message already names it). */
export function optionProblemsText(problems: readonly OptionProblem[]): string {
  return problems.map((p) => (p.path.length && !p.unknown ? `${p.path.join('.')}: ${p.message}` : p.message)).join('; ');
}

/**
 * Declares a checker with its types checked: `check` receives the options its zod schema parsed
 * (defaults filled, typed from the schema); without a schema the checker takes no options.
 */
export function defineChecker<S extends z.ZodType<Record<string, unknown>, Record<string, unknown>> = typeof NO_OPTIONS>(definition: CheckerDefinition<S>): Checker {
  const schema: z.ZodType = definition.options ?? NO_OPTIONS;
  return {
    name: definition.name,
    description: definition.description,
    options: schema,
    check: (history, options) => definition.check(history, checkerOptions(definition.name, schema, options) as z.output<S>),
  };
}

/** Runs a checker; a checker that throws gives an `unknown` result saying so (a run is still judged). */
export async function runChecker(checker: Checker, history: readonly Op[], options: Record<string, unknown>): Promise<CheckResult> {
  try {
    return await checker.check(history, options);
  } catch (err) {
    return { checker: checker.name, valid: 'unknown', summary: `checker failed: ${(err as Error)?.message ?? String(err)}`, anomalies: [] };
  }
}
