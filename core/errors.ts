/**
 * Exit codes of every faultline command (the worst wins): 0 valid, 1 anomalies found, 2 unknown
 * (a checker ran out of its budget or had nothing to judge, or the run was cut short), 3 bad
 * input or usage, 4 an internal error (a bug of faultline's, not of the input).
 */
export const EXIT = { valid: 0, invalid: 1, unknown: 2, error: 3, internal: 4 } as const;

/**
 * An error meant for the user: bad input, bad arguments, a missing file. The CLI prints its
 * message (no stack trace) and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The exit code of an error that reached the top: a UserError's own, 4 (internal) for anything else. */
export function exitCodeForError(err: unknown): number {
  return err instanceof UserError ? err.exitCode : EXIT.internal;
}

/** A history file that cannot be read (bad input, exit 3): `line` is 1-based. */
export class ParseError extends UserError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

/** What an error of the file system says, in a few words ("no such file"), or undefined for any
 *  other error. */
export function fileSystemProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, syscall } = err as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string') return undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err.message;
}
