/** The checker contract (shared/DESIGN.md): a pure function from a history to a verdict. */
import type { z } from 'zod';
import type { Op } from './op.js';
import type { CheckResult } from './result.js';

export interface Checker {
  /** The name campaigns use. */
  name: string;
  /** One sentence, for `faultline list checkers`. */
  description: string;
  /** Its options as a zod schema (a strict object): the campaign's options are checked against
   *  it at load, before any node starts, and an unknown or misspelt one is refused with the valid
   *  names. Without one the checker is asked with an empty history instead. */
  options?: z.ZodType;
  check(history: readonly Op[], options: Record<string, unknown>): CheckResult | Promise<CheckResult>;
}

/** Declares a checker with its types checked (an identity: registries take it as it is). */
export function defineChecker(checker: Checker): Checker {
  return checker;
}
