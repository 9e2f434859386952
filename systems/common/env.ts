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
