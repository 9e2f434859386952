import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asset, REPORT_SCRIPT_PARTS } from './assets.js';

const partsDir = join(dirname(fileURLToPath(import.meta.url)), 'assets', 'report');

describe('the report script', () => {
  it('is every part of reports/assets/report/, each type-checked, joined in one function scope', () => {
    const files = readdirSync(partsDir).filter((f) => f.endsWith('.js'));
    expect([...REPORT_SCRIPT_PARTS].sort()).toEqual(files.sort());
    for (const part of REPORT_SCRIPT_PARTS) {
      const text = readFileSync(join(partsDir, part), 'utf8');
      expect(text.startsWith('// @ts-check\n'), part).toBe(true);
      // Scripts sharing one scope, not modules (a module's import would not survive the join).
      expect(text, part).not.toMatch(/^\s*(import|export)\s/m);
    }
    const script = asset('report.js');
    expect(script.startsWith("(function () {\n'use strict';\n")).toBe(true);
    expect(script.trimEnd().endsWith('})();')).toBe(true);
    const at = REPORT_SCRIPT_PARTS.map((part) => script.indexOf(readFileSync(join(partsDir, part), 'utf8')));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(script).not.toMatch(/<\/script/i);
    // It parses as one script.
    expect(() => new Function(script)).not.toThrow();
  });
});
