/**
 * A campaign's YAML with its line numbers kept, so every mistake can be reported as file:line,
 * and `--set path=value` overrides applied to the same document.
 */
import { readFileSync } from 'node:fs';
import { Document, LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

export type FieldPath = readonly (string | number)[];

export interface Override {
  /** As typed: `clients.concurrency=8`. */
  text: string;
  path: (string | number)[];
  /** How errors name it: `--set clients.concurrency=8`, or the option it came from (`--concurrency 8`). */
  shownAs: string;
}

export interface CampaignSource {
  file: string;
  doc: Document;
  lines: LineCounter;
  overrides: Override[];
}

export interface SourceProblem {
  /** 1-based; absent when the problem is not on a line (a --set, a missing file). */
  line?: number;
  field?: string;
  message: string;
  /** Set when the problem comes from a --set (or an option that is sugar for one): how to name it. */
  override?: string;
}

export class CampaignSyntaxError extends Error {
  constructor(readonly problems: SourceProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

export function readCampaignSource(file: string): CampaignSource {
  const text = readFileSync(file, 'utf8');
  const lines = new LineCounter();
  // Warnings (an unknown tag or directive) are mistakes in a campaign too: reported, not logged.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, logLevel: 'silent' });
  if (doc.errors.length > 0 || doc.warnings.length > 0) {
    throw new CampaignSyntaxError(
      [...doc.errors, ...doc.warnings].map((e) => ({ line: e.linePos?.[0].line, message: `YAML syntax error: ${firstLine(e.message)}` })),
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new CampaignSyntaxError([{ line: 1, message: 'a campaign is a YAML mapping (name: ..., system: ..., workload: ...)' }]);
  }
  return { file, doc, lines, overrides: [] };
}

/** A campaign object's fields as the same document a file gives (without lines: errors name the field). */
export function objectCampaignSource(label: string, fields: Record<string, unknown>): CampaignSource {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new CampaignSyntaxError([{ message: 'a campaign is an object ({system, workload, ...})' }]);
  }
  return { file: label, doc: new Document(fields), lines: new LineCounter(), overrides: [] };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** `a.b.0.c` -> ['a', 'b', 0, 'c']. */
export function parseFieldPath(text: string): (string | number)[] {
  return text.split('.').map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

export function formatFieldPath(path: FieldPath): string {
  return path.map((seg) => (typeof seg === 'number' ? `[${seg}]` : seg)).join('.').replaceAll('.[', '[');
}

/** Applies `path=value` (the value read as YAML: `5`, `true`, `[a, b]`, `text`); errors name it
 *  `shownAs` (default `--set path=value`). */
export function applyOverride(source: CampaignSource, text: string, shownAs = `--set ${text}`): void {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new CampaignSyntaxError([{ message: `--set takes path=value (e.g. clients.concurrency=8), got "${text}"`, override: shownAs }]);
  const path = parseFieldPath(text.slice(0, eq).trim());
  if (path.some((seg) => seg === '')) throw new CampaignSyntaxError([{ message: `--set: bad field path "${text.slice(0, eq)}"`, override: shownAs }]);
  for (const [i, seg] of path.entries()) {
    if (typeof seg !== 'number') continue;
    // A list index past the end would make a list of that many empty items.
    const parent = source.doc.getIn(path.slice(0, i), true);
    const length = isSeq(parent) ? parent.items.length : 0;
    if (seg > length) {
      throw new CampaignSyntaxError([{ message: `no item [${seg}] in ${formatFieldPath(path.slice(0, i)) || 'the campaign'} (it has ${length}; the next is [${length}])`, override: shownAs }]);
    }
  }
  let value: unknown;
  try {
    const valueDoc = parseDocument(text.slice(eq + 1), { logLevel: 'silent' });
    const problem = valueDoc.errors[0] ?? valueDoc.warnings[0];
    if (problem) throw problem;
    value = valueDoc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new CampaignSyntaxError([{ message: `the value is not valid YAML (${firstLine((err as Error).message)})`, override: shownAs }]);
  }
  try {
    source.doc.setIn(path, source.doc.createNode(value));
  } catch {
    throw new CampaignSyntaxError([{ message: `cannot set ${formatFieldPath(path)} (a parent field is not a mapping or list)`, override: shownAs }]);
  }
  source.overrides.push({ text, path, shownAs });
}

/** The --set that gave this field (or one of its parents), if any. */
export function overrideFor(source: CampaignSource, path: FieldPath): Override | undefined {
  return source.overrides.findLast((o) => o.path.length <= path.length && o.path.every((seg, i) => String(seg) === String(path[i])));
}

/** The line of a field, or of its nearest parent that is in the file. */
export function lineOf(source: CampaignSource, path: FieldPath): number | undefined {
  let node: unknown = source.doc.contents;
  let line = node ? lineAt(source, node as Node) : 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const keyLine = isScalar(pair.key) ? lineAt(source, pair.key) : undefined;
      node = pair.value;
      line = (isScalar(node) ? lineAt(source, node) : keyLine) ?? keyLine ?? line;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) break;
      node = item;
      line = lineAt(source, item as Node) ?? line;
    } else {
      break;
    }
  }
  return line;
}

function lineAt(source: CampaignSource, node: Node): number | undefined {
  const start = node.range?.[0];
  return start === undefined ? undefined : source.lines.linePos(start).line;
}
