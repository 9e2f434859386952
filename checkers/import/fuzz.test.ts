/**
 * Properties: whatever the bytes, an importer gives a history or a one-line ParseError with a
 * line, never another throw; values of any shape come back as they went in (integers exact), or
 * are refused for nesting too deep.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_DEPTH, stringifyJson } from '../../core/json.js';
import { FORMATS, ParseError, parseEdn, parseHistory, parseJsonl, type HistoryFormat, type ImportedHistory } from './index.js';

/** The only outcomes allowed: a history, or a ParseError with a sane line and a one-line message. */
function outcome(text: string, format?: HistoryFormat): ImportedHistory | ParseError {
  try {
    return parseHistory(text, format);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    expect(Number.isInteger(err.line) && err.line >= 1).toBe(true);
    expect(err.line).toBeLessThanOrEqual(text.split('\n').length + 1);
    expect(err.message).not.toContain('\n');
    return err;
  }
}

const formats: (HistoryFormat | undefined)[] = [undefined, ...FORMATS];

// pieces that make an EDN or Jepsen-log reader work: brackets, dispatch, strings, numbers, keywords
const EDN_PIECES = ['[', ']', '{', '}', '(', ')', '#{', '#_', '#inst', '#uuid', '#x.Y', '##Inf', '##', '#', '"', '"a"', '\\', '\\u12', '\\newline', ':', ':f',
  ':read', ':process', ':type', ':invoke', ':ok', ':value', ' ', ',', '\n', ';', 'nil', 'true', '0', '-1', '9007199254740993', '1N', '1.5M', '1/2',
  '1e5', '12abc', 'sym', '{:process 0 :type :invoke :f :read}', 'INFO jepsen.util - 0 :ok :read ', '\u0000', '\r', '\u202e'];
const JSON_PIECES = ['{', '}', '[', ']', '"', '"process"', '"type"', '"f"', '"value"', ':', ',', '0', '-1', '9007199254740993', '1e400', '"ok"', '"invoke"',
  'null', 'true', '\\', '\\u', '\n', ' ', '{"process":0,"type":"invoke","f":"read"}', '\u0000'];

describe('importers under random input', () => {
  it('random bytes: a history or a ParseError, in every format', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const text = Buffer.from(bytes).toString('utf8');
        for (const f of formats) outcome(text, f);
      }),
      { numRuns: 300 },
    );
  });

  it('random EDN-like and JSON-like token soup: a history or a ParseError', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EDN_PIECES), { maxLength: 80 }), fc.array(fc.constantFrom(...JSON_PIECES), { maxLength: 80 }), (edn, json) => {
        for (const f of formats) {
          outcome(edn.join(''), f);
          outcome(json.join(''), f);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random deep structures: read back exactly up to the depth limit, refused past it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * MAX_VALUE_DEPTH + 10 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), fc.bigInt(), (depth, shape, leaf) => {
        // a value `depth` collections deep, arrays or maps by `shape`, with an exact integer at the bottom
        let json = stringifyJson(leaf)!;
        let edn = String(leaf);
        for (let d = 0; d < depth; d++) {
          const map = shape[d % shape.length]!;
          json = map ? `{"k":${json}}` : `[${json}]`;
          edn = map ? `{:k ${edn}}` : `[${edn}]`;
        }
        const j = outcome(`{"process":0,"type":"invoke","f":"write","value":${json}}`, 'jsonl');
        const e = outcome(`{:process 0 :type :invoke :f :write :value ${edn}}`, 'edn');
        // the op map itself is one level
        if (depth + 1 > MAX_VALUE_DEPTH) {
          expect(j).toBeInstanceOf(ParseError);
          expect(e).toBeInstanceOf(ParseError);
          return;
        }
        for (const h of [j, e]) {
          expect(h).not.toBeInstanceOf(ParseError);
          let v = (h as ImportedHistory).ops[0]!.value;
          for (let d = depth - 1; d >= 0; d--) v = shape[d % shape.length]! ? (v as Record<string, unknown>)['k'] : (v as unknown[])[0];
          expect(v).toBe(Number.isSafeInteger(Number(leaf)) ? Number(leaf) : leaf);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('random JSON values (with integers of any size) round-trip through jsonl and EDN', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.bigInt().map((b) => (Number.isSafeInteger(Number(b)) ? Number(b) : b)),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    const toEdn = (v: unknown): string => {
      if (v === null) return 'nil';
      if (Array.isArray(v)) return `[${v.map(toEdn).join(' ')}]`;
      if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)} ${toEdn(x)}`).join(', ')}}`;
      if (typeof v === 'string') return JSON.stringify(v).replace(/\\u007f/g, '\u007f');
      return String(v);
    };
    fc.assert(
      fc.property(value, (v) => {
        const j = parseJsonl(`{"process":0,"type":"invoke","f":"write","value":${stringifyJson(v)}}`);
        expect(j.ops[0]!.value).toEqual(v);
        const e = parseEdn(`{:process 0 :type :invoke :f :write :value ${toEdn(v)}}`);
        expect(e.ops[0]!.value).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});
