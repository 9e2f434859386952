/**
 * One Node.js child process measured as a user would see it (`npm run bench:checker`,
 * `npm run bench:memory`): its wall time, output and exit code, and, through /usr/bin/time where
 * the machine has it, its peak RSS and user + system CPU time.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const TIME = '/usr/bin/time';

export interface TimedRun {
  wallMs: number;
  stdout: string;
  stderr: string;
  code: number;
  /** Peak resident set size in KiB (only with /usr/bin/time). */
  peakKb?: number;
  /** User + system CPU time in ms (only with /usr/bin/time): what the wall time would be on an idle machine. */
  cpuMs?: number;
}

/** Runs `node ...args` (under /usr/bin/time when present) and resolves when it has exited. */
export function runNodeTimed(args: readonly string[], options: { cwd?: string } = {}): Promise<TimedRun> {
  const useTime = existsSync(TIME);
  const cmd = useTime ? TIME : process.execPath;
  const argv = useTime ? ['-f', 'FAULTLINE_BENCH %e %M %U %S', process.execPath, ...args] : [...args];
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { ...(options.cwd ? { cwd: options.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const m = /FAULTLINE_BENCH ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      done({
        wallMs,
        stdout,
        stderr,
        code: code ?? -1,
        ...(m ? { peakKb: Number(m[2]), cpuMs: (Number(m[3]) + Number(m[4])) * 1000 } : {}),
      });
    });
  });
}
