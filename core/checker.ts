/** The checker contract (shared/DESIGN.md): a pure function from a history to a verdict. */
import type { Op } from './op.js';
import type { CheckResult } from './result.js';

export interface Checker {
  /** The name campaigns use. */
  name: string;
  /** One sentence, for `faultline list checkers`. */
  description: string;
  check(history: readonly Op[], options: Record<string, unknown>): CheckResult | Promise<CheckResult>;
}

/** Declares a checker with its types checked (an identity: registries take it as it is). */
export function defineChecker(checker: Checker): Checker {
  return checker;
}
