import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { DescriptorError, projectRoot, type SystemDescriptor } from './descriptor.js';

/**
 * A descriptor's process command as argv: `node` is this Node.js binary, and arguments that
 * look like project paths (`dist/...`, `systems/...`) are made absolute against the project root.
 */
export function resolveCommand(command: readonly string[]): string[] {
  return command.map((part, i) => {
    if (i === 0 && part === 'node') return process.execPath;
    if (!isAbsolute(part) && /^(dist|systems|bin)\//.test(part)) return join(projectRoot, part);
    return part;
  });
}

export interface ProcessLaunch {
  argv: string[];
  cwd: string;
}

/**
 * How a node of this system starts as a process, checked first: a program that is missing, not
 * executable or not a file, and a working directory that is missing or not a directory, are a
 * DescriptorError naming the descriptor field and the OS error (spawn itself would report a bad
 * working directory as the program's ENOENT, and a non-executable file as a silent exit 127).
 */
export function processLaunch(system: SystemDescriptor, env: NodeJS.ProcessEnv = process.env): ProcessLaunch {
  const argv = resolveCommand(system.process.command);
  const cwd = system.process.cwd ?? projectRoot;
  const field = (name: string, value: string, problem: string): DescriptorError =>
    new DescriptorError(`system ${system.name}: descriptor field ${name} ${JSON.stringify(value)}: ${problem}`);
  const dir = statOf(cwd);
  if (!dir.ok) throw field('process.cwd', cwd, dir.error);
  if (!dir.stats.isDirectory()) throw field('process.cwd', cwd, 'not a directory (ENOTDIR)');
  const program = argv[0]!;
  const found = program.includes('/') ? checkExecutable(isAbsolute(program) ? program : join(cwd, program)) : findOnPath(program, env.PATH ?? '');
  if (typeof found === 'string') throw field('process.command[0]', system.process.command[0]!, found);
  return { argv, cwd };
}

type Stat = { ok: true; stats: Stats } | { ok: false; error: string };

function statOf(path: string): Stat {
  try {
    return { ok: true, stats: statSync(path) };
  } catch (err) {
    return { ok: false, error: osError(err) };
  }
}

/** True when `file` is an executable regular file; otherwise what is wrong with it. */
function checkExecutable(file: string): true | string {
  const s = statOf(file);
  if (!s.ok) return s.error;
  if (!s.stats.isFile()) return 'not a file (EISDIR)';
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch (err) {
    return `not executable: ${osError(err)}`;
  }
}

function findOnPath(program: string, path: string): true | string {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    if (checkExecutable(join(dir, program)) === true) return true;
  }
  return `no such program on PATH (ENOENT)`;
}

function osError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const what: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', ENOTDIR: 'a parent is not a directory', ELOOP: 'too many symbolic links' };
  return e.code ? `${what[e.code] ?? e.message} (${e.code})` : String(e.message ?? err);
}
