/** Reading a node's configuration from its environment, with the course defaults. */

export function envString(name: string, fallback: string): string {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : v;
}

export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`${name} must be a non-negative integer, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

/** `BUGS=a,b`: the seeded defects switched on; unknown names stop the node with a message. */
export function envBugs<T extends string>(known: readonly T[], name = 'BUGS'): Set<T> {
  const raw = (process.env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const bug of raw) {
    if (!(known as readonly string[]).includes(bug)) {
      process.stderr.write(`unknown bug "${bug}" in ${name}; known: ${known.join(', ')}\n`);
      process.exit(2);
    }
  }
  return new Set(raw as T[]);
}

/** A non-negative finite number (`FAILURE_RATE=0.2`), within `max` when given. */
export function envNumber(name: string, fallback: number, max = Number.POSITIVE_INFINITY): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > max) {
    const range = Number.isFinite(max) ? ` between 0 and ${max}` : ' (non-negative)';
    process.stderr.write(`${name} must be a number${range}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}
