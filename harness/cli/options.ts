/** What several commands (`run`, `compare`) share: --seed and --time-limit parsing, Ctrl-C handling. */
import { parseDuration } from '../campaign/duration.js';
import { EXIT, UserError } from '../../core/errors.js';

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

export interface SignalAbort {
  /** Aborted (with the signal's name) at the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Stops listening for the signals. */
  dispose(): void;
}

/**
 * Ctrl-C for a long command: the first SIGINT/SIGTERM aborts `signal` so the command cleans up
 * (and exits after 60 s if the cleanup hangs); a later one calls `onRepeat`, the third exits at once.
 */
export function abortOnSignals(onRepeat?: (sig: NodeJS.Signals) => void): SignalAbort {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      controller.abort(sig);
      setTimeout(() => process.exit(EXIT.error), 60_000).unref();
      return;
    }
    onRepeat?.(sig);
    if (signals >= 3) process.exit(EXIT.error);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
