/**
 * `readHistory`: a history file read as `faultline check` reads it, for `checkHistory`.
 */
import { FORMATS, readHistoryFile, type HistoryFormat } from '../checkers/import/index.js';
import { fileSystemProblem, ParseError, UserError } from '../core/errors.js';
import type { Op } from '../core/op.js';

export interface ReadHistoryOptions {
  /** `jsonl` (faultline's history.jsonl), `edn` (Jepsen/knossos) or `jepsen-log`; default: the
   *  one the file's first lines suggest. */
  format?: HistoryFormat;
}

/**
 * The ops of a history file: faultline's history.jsonl, a Jepsen/knossos EDN history or a Jepsen
 * log. Throws `UserError` naming the file for a file that cannot be read (missing, a directory),
 * and `ParseError` naming the file and line for one that is empty, torn or malformed: a history
 * is never read as fewer ops than it has.
 */
export function readHistory(path: string, options: ReadHistoryOptions = {}): Op[] {
  if (options.format !== undefined && !(FORMATS as readonly string[]).includes(options.format)) {
    throw new UserError(`readHistory: format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(options.format)}`);
  }
  try {
    return readHistoryFile(path, options.format).ops;
  } catch (err) {
    if (err instanceof ParseError) throw new ParseError(`${path}:${err.line}: ${err.message}`, err.line);
    const problem = fileSystemProblem(err);
    if (problem !== undefined) throw new UserError(`${path}: ${problem}`);
    throw err;
  }
}
