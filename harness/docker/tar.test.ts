import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tarOf } from './tar.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('tarOf', () => {
  it('makes an archive tar extracts: folders, files of any size, modes, long names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-tar-'));
    dirs.push(dir);
    const big = Buffer.alloc(1300, 7);
    const long = `x/${'n'.repeat(140)}`;
    writeFileSync(join(dir, 'a.tar'), await tarOf([{ name: 'x/', mode: 0o777 }, { name: 'x/empty', data: '' }, { name: 'x/big.bin', data: big }, { name: 'x/run.sh', data: 'echo hi\n', mode: 0o755 }, { name: long, data: 'long' }]));
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(join(dir, 'x', 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(dir, 'x', 'empty'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'x', 'run.sh'), 'utf8')).toBe('echo hi\n');
    expect(statSync(join(dir, 'x', 'run.sh')).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(dir, long), 'utf8')).toBe('long');
  });
});
