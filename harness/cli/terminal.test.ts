import { describe, expect, it } from 'vitest';
import { formatVerdictTable } from '../run/verdict.js';
import { terminalLines, terminalSafe } from './terminal.js';

describe('terminal output', () => {
  it('shows control characters and bidi overrides as visible escapes, and keeps other text', () => {
    expect(terminalSafe('k\u001b[31mred\u001b[0m')).toBe('k\\x1b[31mred\\x1b[0m');
    expect(terminalSafe('a\u202eb\u2066c\u200fd\r\n\t\u0085\u007f')).toBe('a\\u202eb\\u2066c\\u200fd\\x0d\\x0a\\x09\\x85\\x7f');
    expect(terminalSafe('ключ 鍵 ké → ✓')).toBe('ключ 鍵 ké → ✓');
    expect(terminalLines(['one\u001b', 'two'])).toBe('one\\x1b\ntwo\n');
  });

  it('the verdict table shows a summary quoting a hostile key as escapes', () => {
    const table = formatVerdictTable([{ checker: 'linearizable', valid: false, summary: 'key "\u001b[2J\u202eevil" is not linearizable', anomalies: [] }], false);
    expect(table).toContain('key "\\x1b[2J\\u202eevil"');
    expect(table).not.toMatch(/[\u001b\u202e]/);
  });
});
