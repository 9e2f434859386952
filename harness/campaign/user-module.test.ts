import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importUserModule, type UserModuleKind } from './user-module.js';

interface Thing {
  go: () => string;
}
const thing: UserModuleKind<Thing> = {
  kind: 'thing',
  exportName: 'thing',
  is: (v): v is Thing => typeof v === 'object' && v !== null && typeof (v as { go?: unknown }).go === 'function',
  usage: 'export const thing = {go}',
};

describe('importUserModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'user-module-'));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('takes the named export, or else the default export', async () => {
    const named = await importUserModule(write('named.mjs', 'export const thing = { go: () => "named" };'), thing);
    const byDefault = await importUserModule(write('default.mjs', 'export default { go: () => "default" };'), thing);
    expect(typeof named === 'string' ? named : named.go()).toBe('named');
    expect(typeof byDefault === 'string' ? byDefault : byDefault.go()).toBe('default');
  });

  it('says in one line what is wrong with a module it cannot use', async () => {
    const missing = join(dir, 'missing.mjs');
    expect(await importUserModule(missing, thing)).toBe(`thing module ${missing} does not exist`);
    const broken = write('broken.mjs', 'throw new Error("boom");');
    expect(await importUserModule(broken, thing)).toBe(`cannot load thing module ${broken}: boom`);
    const wrong = write('wrong.mjs', 'export const thing = 42;');
    expect(await importUserModule(wrong, thing)).toBe(`${wrong} exports no thing (export const thing = {go})`);
  });
});
