import { parseEDNString } from 'edn-data/dist/parse.js';

/** A keyword kept apart from strings (jepsen logs put errors such as `:timed-out` where values go). */
export interface Keyword {
  keyword: string;
}

export function isKeyword(v: unknown): v is Keyword {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && 'keyword' in v;
}

export const EDN_OPTIONS = { mapAs: 'map', setAs: 'array', listAs: 'array', keywordAs: 'object', symbolAs: 'object', charAs: 'string' } as const;

/**
 * edn-data's output (options EDN_OPTIONS) as JSON-like data: maps become objects (keyword keys by
 * name), keywords become strings (or `Keyword`s when `keepKeyword` and at the top), symbols
 * strings, big integers numbers when exact, tagged values their value.
 */
export function plain(v: unknown, keepKeyword = false): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => plain(x));
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[keyName(k)] = plain(x);
    return o;
  }
  if (v instanceof Date) return v.toISOString();
  const w = v as Record<string, unknown>;
  if (typeof w['key'] === 'string' && Object.keys(w).length === 1) return keepKeyword ? { keyword: w['key'] } : w['key'];
  if (typeof w['sym'] === 'string' && Object.keys(w).length === 1) return w['sym'];
  if ('tag' in w && 'val' in w) return plain(w['val']);
  if (Array.isArray(w['list'])) return w['list'].map((x) => plain(x));
  if (Array.isArray(w['set'])) return w['set'].map((x) => plain(x));
  return w;
}

function keyName(k: unknown): string {
  const p = plain(k);
  return typeof p === 'string' ? p : JSON.stringify(p);
}

/** One EDN value, as plain data (keywords as `Keyword` at the top when `keepKeyword`). */
export function parseEdnValue(text: string, keepKeyword = false): unknown {
  return plain(parseEDNString(text, EDN_OPTIONS), keepKeyword);
}
