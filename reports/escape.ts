/**
 * Escaping for everything that came from a system or a history. Data goes into a page only as
 * JSON inside `<script type="application/json">` (read with JSON.parse, drawn with textContent),
 * or as HTML text through `escapeHtml`.
 */
import { stringifyJson } from '../core/json.js';

/** JSON that is safe inside a `<script>` element: no `<`, `>`, `&`, U+2028 or U+2029 left raw. */
export function jsonForScript(value: unknown): string {
  return stringifyJson(value ?? null)!.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
