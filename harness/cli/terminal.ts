/**
 * Text from histories (keys, values, file names) printed on a terminal: control characters
 * (ANSI escapes, carriage returns, line breaks, C1 codes) and bidirectional overrides (which can
 * make `read k -> 1` display as something else) are shown as visible escapes (`\x1b`, `\u202e`),
 * so what is printed is what the file holds.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Several lines, each made terminal-safe (the line breaks between them kept). */
export function terminalLines(lines: readonly string[]): string {
  return lines.map(terminalSafe).join('\n') + '\n';
}
