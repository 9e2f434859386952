/**
 * A streaming EDN reader for histories: fed one line at a time, it hands over each complete
 * top-level form (or each element of a top-level vector or list, so a Jepsen history of millions
 * of ops never sits in memory as one form) with the line it starts on.
 *
 * Values come out as plain data: maps as objects (keys by keyword name; other keys as their JSON
 * text), vectors, lists and sets as arrays, keywords and symbols as strings, characters as
 * strings, integers exact (a bigint beyond 2^53, see checkers/common/json.ts), `#inst` as an
 * ISO date string and `#uuid` as a string (both checked), any other tagged value (records such
 * as `#jepsen.history.Op{...}`) as its value, `#_` discarded.
 *
 * Strict where a history reader must be: brackets must match, maps need pairs, numbers and
 * escapes must be valid, values nest at most MAX_VALUE_DEPTH deep. Every error is a
 * `ParseError` with its line. Our own reader rather than edn-data: edn-data rounds integers
 * beyond 2^53, lets `)` close a `[`, reads an unparsable value as nil and builds values
 * recursively; none of which a verdict can rest on.
 */
import { exactNumber, MAX_VALUE_DEPTH, stringifyJson } from '../../core/json.js';
import { ParseError } from '../../core/errors.js';

/** A top-level form: its value, the line it starts on, and the keyword's name when it is one. */
export interface EdnForm {
  value: unknown;
  line: number;
  keyword?: string;
}

type Frame =
  | { kind: '[' | '(' | '#{' | '{'; items: unknown[]; line: number; spread: boolean }
  | { kind: 'tag'; tag: string; line: number }
  | { kind: 'discard'; line: number };

const CLOSES: Record<string, string> = { ']': '[', ')': '(', '}': '{' };
const SPACE = /[\s,]+/y;
const TOKEN = /[^\s,()[\]{}";]+/y;
const STRING_PART = /[^"\\]+/y;
const INTEGER = /^[-+]?\d+N?$/;
const FLOAT = /^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?M?$/;
const RATIO = /^[-+]?\d+\/\d+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const STRING_ESCAPES: Record<string, string> = { t: '\t', r: '\r', n: '\n', b: '\b', f: '\f', '\\': '\\', '"': '"' };
const CHARACTERS: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r', backspace: '\b', formfeed: '\f' };
const SYMBOLIC: Record<string, number> = { Inf: Infinity, '-Inf': -Infinity, NaN: NaN };

export class EdnReader {
  private readonly stack: Frame[] = [];
  /** The parts of a string being read (strings may span lines), and the line it starts on. */
  private text: string[] | undefined;
  private textLine = 0;
  private forms = 0;
  private spreadDone = false;

  /**
   * `emit` gets each form. With `spread`, a top-level vector or list that comes first is not a
   * form itself: its elements are handed over one by one as they complete.
   */
  constructor(
    private readonly emit: (form: EdnForm) => void,
    private readonly spread = false,
  ) {}

  /** Reads one line (without its line break). */
  feed(text: string, line: number): void {
    let i = 0;
    const n = text.length;
    while (i < n) {
      if (this.text) {
        i = this.readString(text, i, line);
        continue;
      }
      SPACE.lastIndex = i;
      if (SPACE.test(text)) {
        i = SPACE.lastIndex;
        if (i >= n) break;
      }
      const c = text[i]!;
      if (c === ';') break;
      if (c === '"') {
        this.text = [];
        this.textLine = line;
        i++;
      } else if (c === '[' || c === '(' || c === '{') {
        this.open(c, line);
        i++;
      } else if (c === ']' || c === ')' || c === '}') {
        this.close(c, line);
        i++;
      } else if (c === '#') {
        i = this.dispatch(text, i, line);
      } else if (c === '\\') {
        TOKEN.lastIndex = i + 1;
        const m = TOKEN.exec(text);
        // a lone backslash before a delimiter is that character (`\(`), else a name or one char
        const name = m && m.index === i + 1 ? m[0] : text[i + 1];
        if (name === undefined) throw new ParseError('a character literal (\\) with nothing after it', line);
        this.value(character(name, line), line);
        i += 1 + name.length;
      } else {
        TOKEN.lastIndex = i;
        const token = TOKEN.exec(text)![0];
        i += token.length;
        if (token[0] === ':') {
          if (token.length === 1) throw new ParseError('a keyword (:) with no name', line);
          this.value(token.slice(1), line, true);
        } else this.value(atom(token, line), line);
      }
    }
    if (this.text) this.text.push('\n');
  }

  /** The end of the input: everything opened must be closed. */
  end(lastLine: number): void {
    if (this.text) throw new ParseError('a string is not closed at the end of the file', this.textLine);
    const top = this.stack[this.stack.length - 1];
    if (top) {
      const what = top.kind === 'tag' ? `#${top.tag}` : top.kind === 'discard' ? '#_' : `"${top.kind}"`;
      throw new ParseError(`malformed EDN: ${what} opened here is not closed at the end of the file`, top.line || lastLine);
    }
  }

  private readString(text: string, i: number, line: number): number {
    const parts = this.text!;
    for (;;) {
      STRING_PART.lastIndex = i;
      const m = STRING_PART.exec(text);
      if (m) {
        parts.push(m[0]);
        i += m[0].length;
      }
      if (i >= text.length) return i;
      if (text[i] === '"') {
        this.text = undefined;
        this.value(parts.join(''), this.textLine);
        return i + 1;
      }
      // a backslash
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ParseError(`malformed EDN: invalid unicode escape "\\u${hex}"`, line);
        parts.push(String.fromCharCode(parseInt(hex, 16)));
        i += 6;
      } else {
        const s = e === undefined ? undefined : STRING_ESCAPES[e];
        if (s === undefined) throw new ParseError(`malformed EDN: invalid escape "\\${e ?? ''}" in a string`, line);
        parts.push(s);
        i += 2;
      }
    }
  }

  private dispatch(text: string, i: number, line: number): number {
    const next = text[i + 1];
    if (next === '{') {
      this.open('#{', line);
      return i + 2;
    }
    if (next === '_') {
      this.push({ kind: 'discard', line }, line);
      return i + 2;
    }
    if (next === '#') {
      TOKEN.lastIndex = i + 2;
      const m = TOKEN.exec(text);
      const name = m && m.index === i + 2 ? m[0] : '';
      const v = SYMBOLIC[name];
      if (v === undefined) throw new ParseError(`malformed EDN: unknown symbolic value "##${name}"`, line);
      this.value(v, line);
      return i + 2 + name.length;
    }
    TOKEN.lastIndex = i + 1;
    const m = TOKEN.exec(text);
    if (!m || m.index !== i + 1 || !/^[a-zA-Z]/.test(m[0])) {
      throw new ParseError(`malformed EDN: "#${next ?? ''}" is not a tag (#name), a set (#{) or a discard (#_)`, line);
    }
    this.push({ kind: 'tag', tag: m[0], line }, line);
    return i + 1 + m[0].length;
  }

  private push(frame: Frame, line: number): void {
    if (this.stack.length >= MAX_VALUE_DEPTH) throw new ParseError(`values nest deeper than ${MAX_VALUE_DEPTH} levels`, line);
    this.stack.push(frame);
  }

  private open(kind: '[' | '(' | '{' | '#{', line: number): void {
    const spread = this.spread && this.stack.length === 0 && this.forms === 0 && (kind === '[' || kind === '(');
    if (this.stack.length === 0) this.beforeTopForm(line);
    this.push({ kind, items: [], line, spread }, line);
  }

  private close(c: string, line: number): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) throw new ParseError(`malformed EDN: unbalanced "${c}": nothing is open`, line);
    if (top.kind === 'tag' || top.kind === 'discard') {
      throw new ParseError(`malformed EDN: ${top.kind === 'tag' ? `#${top.tag}` : '#_'} has no value before "${c}"`, line);
    }
    const opener = top.kind === '#{' ? '{' : top.kind;
    if (CLOSES[c] !== opener) {
      throw new ParseError(`malformed EDN: unbalanced "${c}" closes "${top.kind}" opened at line ${top.line}`, line);
    }
    this.stack.pop();
    if (top.spread) {
      this.forms++;
      this.spreadDone = true;
      return;
    }
    this.value(top.kind === '{' ? toObject(top.items, line) : top.items, top.line);
  }

  /** A complete value: into its collection, through its tag, or out as a top-level form. */
  private value(v: unknown, line: number, keyword = false): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        this.beforeTopForm(line);
        this.forms++;
        this.emit(keyword ? { value: v, line, keyword: v as string } : { value: v, line });
        return;
      }
      if (top.kind === 'tag') {
        this.stack.pop();
        v = tagged(top.tag, v, top.line);
        line = top.line;
        keyword = false;
        continue;
      }
      if (top.kind === 'discard') {
        this.stack.pop();
        return;
      }
      if (top.spread) {
        this.emit({ value: v, line });
        return;
      }
      top.items.push(v);
      return;
    }
  }

  private beforeTopForm(line: number): void {
    if (this.spreadDone) throw new ParseError('malformed EDN: more forms after the closing bracket of the history', line);
  }
}

/** One EDN value in a text (`--initial`, a Jepsen log's value). Throws ParseError (line 1). */
export function parseEdnValue(text: string): EdnForm {
  const forms: EdnForm[] = [];
  const reader = new EdnReader((f) => forms.push(f));
  reader.feed(text, 1);
  reader.end(1);
  if (forms.length !== 1) throw new ParseError(forms.length === 0 ? 'no EDN value' : `${forms.length} EDN values where one was expected`, 1);
  return forms[0]!;
}

function atom(token: string, line: number): unknown {
  if (token === 'nil') return null;
  if (token === 'true') return true;
  if (token === 'false') return false;
  const c = token.charCodeAt(token[0] === '-' || token[0] === '+' ? 1 : 0);
  if (c >= 0x30 && c <= 0x39) {
    if (INTEGER.test(token)) return exactNumber(token.endsWith('N') ? token.slice(0, -1) : token);
    if (FLOAT.test(token)) return Number(token.endsWith('M') ? token.slice(0, -1) : token);
    if (RATIO.test(token)) {
      const [a, b] = token.split('/');
      return Number(a) / Number(b);
    }
    throw new ParseError(`malformed EDN: invalid number "${clip(token)}"`, line);
  }
  return token; // a symbol
}

function character(name: string, line: number): string {
  if (name.length === 1) return name;
  const named = CHARACTERS[name];
  if (named !== undefined) return named;
  if (/^u[0-9a-fA-F]{4}$/.test(name)) return String.fromCharCode(parseInt(name.slice(1), 16));
  throw new ParseError(`malformed EDN: invalid character literal "\\${clip(name)}"`, line);
}

function tagged(tag: string, v: unknown, line: number): unknown {
  if (tag === 'inst') {
    const ms = typeof v === 'string' && /^\d{4}(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?)?)?)?(Z|[-+]\d\d:\d\d)?$/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) throw new ParseError(`malformed EDN: #inst needs an RFC 3339 date string, got ${clip(stringifyJson(v) ?? String(v))}`, line);
    return new Date(ms).toISOString();
  }
  if (tag === 'uuid') {
    if (typeof v !== 'string' || !UUID.test(v)) throw new ParseError(`malformed EDN: #uuid needs a UUID string, got ${clip(stringifyJson(v) ?? String(v))}`, line);
    return v;
  }
  return v;
}

function toObject(items: unknown[], line: number): Record<string, unknown> {
  if (items.length % 2 !== 0) throw new ParseError('malformed EDN: a map needs pairs of key and value (it has an odd number of forms)', line);
  const o: Record<string, unknown> = {};
  for (let k = 0; k < items.length; k += 2) {
    const key = items[k];
    const name = typeof key === 'string' ? key : (stringifyJson(key) ?? String(key));
    // `__proto__` as a key is data, not the object's prototype
    if (name === '__proto__') Object.defineProperty(o, name, { value: items[k + 1], enumerable: true, writable: true, configurable: true });
    else o[name] = items[k + 1];
  }
  return o;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
