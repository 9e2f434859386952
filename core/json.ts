/**
 * JSON that keeps integers exact. Histories may hold integers beyond 2^53 (ids, counters,
 * nanosecond clocks); `JSON.parse` would round them, so that a write of 9007199254740993 and a
 * read of 9007199254740992 look equal. Here an integer literal outside the safe range
 * (|n| > 2^53 - 1) becomes a `bigint`; every other number stays a `number`. So each integer has
 * one representation, and the models compare values with `===` exactly. Fractions and exponents
 * stay doubles (as in every JSON reader). `stringifyJson` writes bigints back as plain digits.
 */
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';

/** How deep values may nest in a history (deeper values are refused, never a stack overflow). */
export const MAX_VALUE_DEPTH = 1000;

/** A number literal as a number, or a bigint when it is an integer outside the safe range. */
export function exactNumber(literal: string): number | bigint {
  const n = Number(literal);
  if (Number.isSafeInteger(n) || !/^[-+]?\d+$/.test(literal)) return n;
  return BigInt(literal);
}

// An unsafe integer has at least 16 digits: lines without such a run take JSON.parse's fast path.
const LONG_DIGITS = /\d{16}/;

/**
 * Parses JSON text, integers exact (see above). Throws `SyntaxError` for malformed text and
 * `RangeError` when arrays or objects nest deeper than MAX_VALUE_DEPTH.
 */
export function parseJsonExact(text: string): unknown {
  // a value can only nest as deep as it has brackets
  if (text.length > MAX_VALUE_DEPTH) checkDepth(text);
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return parseLossless(text, null, exactNumber);
}

/** Throws RangeError when brackets outside strings nest deeper than MAX_VALUE_DEPTH. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_VALUE_DEPTH) throw new RangeError(`values nest deeper than ${MAX_VALUE_DEPTH} levels`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/** JSON.stringify that writes bigints as their exact digits (JSON.stringify throws on them). */
export function stringifyJson(value: unknown, space?: number): string | undefined {
  try {
    return JSON.stringify(value, null, space);
  } catch (err) {
    if (!(err instanceof TypeError && /BigInt/i.test(err.message))) throw err;
    return stringifyLossless(value, null, space);
  }
}
