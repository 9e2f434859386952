/** Exit codes of every faultline command (the worst wins): `error` is bad input, usage or a
 *  harness error the user can act on; `internal` is a bug (an unexpected exception, with its stack). */
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
