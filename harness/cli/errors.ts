/** Exit codes of every faultline command (the worst wins). */
export const EXIT = { valid: 0, invalid: 1, unknown: 2, error: 3 } as const;

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
