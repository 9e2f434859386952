import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runNodeTimed } from './timed-process.js';

describe('runNodeTimed', () => {
  it('returns the child output and exit code, and its peak RSS and CPU time under /usr/bin/time', async () => {
    // 64 MB kept alive so the peak RSS is visibly above a bare node's.
    const run = await runNodeTimed(['-e', 'const b = Buffer.alloc(64 * 1024 * 1024, 1); console.log("out", b[0]); console.error("err"); process.exitCode = 5']);
    expect(run.stdout).toBe('out 1\n');
    expect(run.stderr).toContain('err');
    expect(run.code).toBe(5);
    expect(run.wallMs).toBeGreaterThan(0);
    if (existsSync('/usr/bin/time')) {
      expect(run.peakKb).toBeGreaterThan(64 * 1024);
      expect(run.cpuMs).toBeGreaterThanOrEqual(0);
    } else {
      expect(run.peakKb).toBeUndefined();
    }
  });
});
