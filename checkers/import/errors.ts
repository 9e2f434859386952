/** A history file that cannot be read: `line` is 1-based. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}
