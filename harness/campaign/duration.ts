import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest duration any campaign field takes: 24 hours. */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** `1.5` (seconds), `"500ms"`, `"2s"`, `"1m"`, `"1h"` -> milliseconds; undefined when not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
  return Number.isFinite(ms) ? ms : undefined;
}

const anyDuration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration (seconds as a number, or "500ms", "2s", "1m", "1h"), got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

/** A campaign duration field between `min` and `max` ms (default 0 to 24 h): seconds as a number,
 *  or a string with ms/s/m/h; parsed to milliseconds. `positive` refuses 0. */
export function durationBetween(bounds: { min?: number; max?: number; positive?: boolean } = {}) {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? MAX_DURATION_MS;
  return anyDuration.pipe(
    z
      .number()
      .min(min, `must be at least ${formatMs(min)}`)
      .max(max, `must be at most ${formatMs(max)}`)
      .refine((ms) => !bounds.positive || ms > 0, 'must be more than 0'),
  );
}

/** A campaign duration field: 0 to 24 h. */
export const durationMs = durationBetween();

export function formatMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
