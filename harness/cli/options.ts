/** Options that several commands take (`run`, `compare`), parsed the same way with the same messages. */
import { parseDuration } from '../campaign/duration.js';
import { UserError } from './errors.js';

/** --seed: an integer from 0 to 2^32-1; undefined when not given. */
export function parseSeedOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seed = Number(value);
  if (!/^\d+$/.test(value) || seed > 2 ** 32 - 1) throw new UserError(`--seed takes an integer from 0 to ${2 ** 32 - 1}, got "${value}"`);
  return seed;
}

/** --time-limit: seconds, or 500ms/2s/1m, as milliseconds; undefined when not given. */
export function parseTimeLimitOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  if (ms === undefined || ms <= 0) throw new UserError(`--time-limit takes seconds (or 500ms, 2s, 1m), got "${value}"`);
  return ms;
}
