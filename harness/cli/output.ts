/**
 * Standard output and error that survive their reader going away (`faultline run x | head -3`):
 * a write to a closed pipe (EPIPE) is dropped instead of killing the process, and `outputClosed`
 * aborts, so a run stops cleanly (heals, stops every node, checks what was recorded, writes
 * results.json and the report) and never exits 0.
 */

const closing = new AbortController();

/** Aborted (reason `output closed`) once a write to stdout or stderr failed. */
export const outputClosed: AbortSignal = closing.signal;

function onError(err: NodeJS.ErrnoException): void {
  if (!closing.signal.aborted) closing.abort(`output closed (${err.code ?? err.message})`);
}

/** Installs the handlers; call once at start-up. */
export function guardStandardOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners('error').includes(onError)) stream.on('error', onError);
  }
}

/** Writes to stdout; resolves once written or dropped (a closed pipe then aborts `outputClosed`). */
export function print(text: string): Promise<void> {
  if (closing.signal.aborted || process.stdout.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    process.stdout.write(text, (err) => {
      if (err) onError(err);
      resolve();
    });
  });
}
