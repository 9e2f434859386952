/** Runs the compiled CLI (`node bin/faultline.js`, after `npx tsc -p .`) the way users do. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/dist\/$/, '/');
export const BIN = join(ROOT, 'bin/faultline.js');

export function requireDist(): void {
  if (!existsSync(join(ROOT, 'dist/harness/cli/main.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, timeout: options.timeoutMs ?? 120_000, env: { ...process.env, ...options.env }, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
