import { isAbsolute, join } from 'node:path';
import { projectRoot } from './descriptor.js';

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
