/**
 * Write versions: `"<term>.<seq>"`, the leader's term and a counter. Versions order writes across
 * replicas: a higher term wins, then a higher counter. Clients see them as opaque strings and send
 * them back for read-your-writes (`X-Session-Version`).
 */
import { mutant } from '../common/mutants.js';

export type Version = string;

const VERSION_RE = /^(\d{1,15})\.(\d{1,15})$/;

export function makeVersion(term: number, seq: number): Version {
  return `${term}.${seq}`;
}

export function isVersion(value: unknown): value is Version {
  return typeof value === 'string' && VERSION_RE.test(value);
}

export function versionParts(v: Version): { term: number; seq: number } {
  const m = VERSION_RE.exec(v);
  if (!m) throw new Error(`not a version: "${v}"`);
  return { term: Number(m[1]), seq: Number(m[2]) };
}

/** Negative when a is older than b; null (never written) is older than everything. */
export function compareVersions(a: Version | null | undefined, b: Version | null | undefined): number {
  if (!a) return b ? -1 : 0;
  if (!b) return 1;
  if (mutant('store-version-string-compare')) return a < b ? -1 : a > b ? 1 : 0;
  const x = versionParts(a);
  const y = versionParts(b);
  return x.term - y.term || x.seq - y.seq;
}

export function maxVersion(a: Version | null, b: Version | null): Version | null {
  return compareVersions(a, b) >= 0 ? a : b;
}
