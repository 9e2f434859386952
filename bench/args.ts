/** Command-line helpers the bench scripts share. */

/** A positive integer option (`--seeds 5`), or the fallback when absent; otherwise `usage` exits. */
export function positiveInt(raw: string | undefined, name: string, fallback: number, usage: (message: string) => never): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} must be a positive integer, got "${raw}"`);
  return n;
}
