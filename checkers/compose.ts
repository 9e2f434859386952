/**
 * Checker composition (Jepsen's `checker/compose`): several checkers as one. The composed
 * checker runs every part on the same history; its verdict is the worst part's (invalid over
 * unknown over valid), its anomalies are every part's, each with the part that found it
 * (`part`), and `details.parts` holds each part's whole result.
 */
import { z } from 'zod';
import { checkerOptions, optionProblemsText, parseCheckerOptions, runChecker, type Checker } from '../core/checker.js';
import { UserError } from '../core/errors.js';
import type { Op } from '../core/op.js';
import { combineValidity, type CheckResult } from '../core/result.js';
import { checkers as shipped } from './index.js';

/** A part: a shipped checker's name, a checker value, or either with the options it runs with. */
export type CheckerPart = string | Checker | { checker: string | Checker; options?: Record<string, unknown> };

export interface ComposedCheckerDefinition {
  /** The composed checker's name (campaigns name it; results carry it). */
  name: string;
  description?: string;
  /** The parts, each named by its checker's name (which must differ). */
  checkers: readonly CheckerPart[];
}

interface Part {
  checker: Checker;
  options: Record<string, unknown>;
}

/**
 * One checker made of several. A campaign may give each part options under the part's name
 * (`{name: safety, options: {perf: {maxP99Ms: 200}}}`); they replace the part's options from
 * here, and are checked by the part's own schema at load.
 */
export function composeCheckers(definition: ComposedCheckerDefinition): Checker {
  const label = `composeCheckers(${String(definition?.name)})`;
  if (typeof definition?.name !== 'string' || definition.name === '') throw new UserError('composeCheckers: give the composed checker a name');
  if (!Array.isArray(definition.checkers) || definition.checkers.length === 0) throw new UserError(`${label}: give it a list of checkers`);
  const parts = new Map<string, Part>();
  for (const entry of definition.checkers) {
    const given = typeof entry === 'object' && entry !== null && 'checker' in entry ? entry : { checker: entry, options: {} };
    const checker = typeof given.checker === 'string' ? shippedChecker(label, given.checker) : given.checker;
    if (typeof checker?.check !== 'function' || typeof checker.name !== 'string') throw new UserError(`${label}: a part is not a checker (a name or a value with name, description, options, check)`);
    if (parts.has(checker.name)) throw new UserError(`${label}: two parts named "${checker.name}"`);
    const options = given.options ?? {};
    const checked = parseCheckerOptions(checker.name, checker.options, options);
    if (!checked.ok) throw new UserError(`${label}: ${optionProblemsText(checked.problems)}`);
    parts.set(checker.name, { checker, options });
  }
  const schema = z.strictObject(Object.fromEntries([...parts].map(([name, p]) => [name, (p.checker.options as z.ZodType<Record<string, unknown>>).optional()])));
  const names = [...parts.keys()];
  return {
    name: definition.name,
    description: definition.description ?? `${names.join(', ')} as one checker (the worst verdict wins)`,
    options: schema,
    async check(history: readonly Op[], options: Record<string, unknown>): Promise<CheckResult> {
      checkerOptions(definition.name, schema, options);
      const results: CheckResult[] = [];
      for (const [name, part] of parts) results.push(await runChecker(part.checker, history, (options[name] as Record<string, unknown> | undefined) ?? part.options));
      const valid = combineValidity(results.map((r) => r.valid));
      return {
        checker: definition.name,
        valid,
        summary: results.map((r) => `${r.checker} ${verdictWord(r.valid)}: ${r.summary}`).join('; '),
        anomalies: results.flatMap((r) => r.anomalies.map((a) => ({ ...a, part: r.checker }))),
        details: { parts: results },
      };
    },
  };
}

function shippedChecker(label: string, name: string): Checker {
  if (Object.hasOwn(shipped, name)) return shipped[name]!;
  throw new UserError(`${label}: unknown checker "${name}"; valid choices: ${Object.keys(shipped).join(', ')}`);
}

function verdictWord(valid: CheckResult['valid']): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}
