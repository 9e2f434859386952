/** Options the API's run functions share, checked with errors that name the function. */
import { UserError } from '../core/errors.js';
import { parseTimeLimitOption } from '../harness/cli/options.js';

/** A time limit: seconds, or '500ms', '2s', '1m'; as milliseconds. */
export function parseTimeLimit(value: number | string, who: string): number {
  try {
    return parseTimeLimitOption(String(value))!;
  } catch {
    throw new UserError(`${who}: timeLimit takes seconds (or '500ms', '2s', '1m'), got ${JSON.stringify(value)}`);
  }
}

/** A seed: an integer from 0 to 2^32-1. */
export function checkSeed(seed: number, who: string): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new UserError(`${who}: seed takes an integer from 0 to ${2 ** 32 - 1}, got ${seed}`);
  return seed;
}
