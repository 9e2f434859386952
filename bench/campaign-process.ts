/**
 * One `faultline run` as a child process, for the benches that run many campaigns
 * (`npm run detection`, `npm run mutants`): its exit code, wall time, run folder and output.
 * A run that hangs is killed after its time limit plus generous room to check.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../harness/descriptor.js';

export interface ChildRun {
  exitCode: number;
  wallMs: number;
  folder: string | undefined;
  output: string;
}

export function runCampaignProcess(args: readonly string[], timeLimitMs: number): Promise<ChildRun> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'faultline.js'), 'run', ...args], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeLimitMs + 180_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const folder = /run folder: (.+)$/m.exec(output)?.[1]?.trim();
      resolvePromise({ exitCode: code ?? 3, wallMs: performance.now() - started, folder, output });
    });
  });
}
