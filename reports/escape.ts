/**
 * Escaping for everything that came from a system or a history. Data goes into a page only as
 * JSON inside `<script type="application/json">` (read with JSON.parse, drawn with textContent;
 * bigints as strings of their digits),
 * or as HTML text through `escapeHtml`.
 */

/**
 * JSON that is safe inside a `<script>` element: no `<`, `>`, `&`, U+2028 or U+2029 left raw.
 * Integers beyond 2^53 (bigints) are written as strings of their digits: the page reads its data
 * with JSON.parse, which would round them as numbers; as strings they are shown exactly.
 */
export function jsonForScript(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value ?? null); // no replacer on the common path: large pages stay fast
  } catch (err) {
    if (!(err instanceof TypeError && /BigInt/i.test(err.message))) throw err;
    json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or an attribute value in double quotes) for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A relative URL path from path segments, each percent-encoded (`logs/<node>.log`). */
export function relativeHref(...segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}
