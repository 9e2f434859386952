/** Options the API's run functions share, checked with errors that name the function. */
import { UserError } from '../core/errors.js';
import { parseTimeLimitOption } from '../harness/cli/options.js';
import { createProgress, type Progress } from '../harness/run/progress.js';
import { RUNTIMES, type RuntimeName } from '../harness/runtime/index.js';

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

/** A runtime's name, default `process`. */
export function checkRuntime(runtime: string | undefined, who: string): RuntimeName {
  const name = runtime ?? 'process';
  if (!(RUNTIMES as readonly string[]).includes(name)) throw new UserError(`${who}: unknown runtime "${name}"; valid choices: ${RUNTIMES.join(', ')}`);
  return name as RuntimeName;
}

/** The progress lines an option asks for: `true` for stderr, a stream, or none (quiet). */
export function progressOf(option: boolean | NodeJS.WriteStream | undefined): Progress {
  const stream = option === true ? process.stderr : option || undefined;
  return createProgress(stream ?? process.stderr, { quiet: stream === undefined });
}
