/** What the foreground server commands (`proxy`, `serve`) share: --port, listen errors, running until Ctrl-C. */
import { UserError } from '../../core/errors.js';

/** The value of --port as a number; a UserError unless it is 0-65535 (0: any free port). */
export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UserError(`--port must be a port number (0-65535), got "${value}"`);
  }
  return Number(value);
}

/** Starts a server; a listen failure becomes a UserError naming the address and why. */
export async function listenOrExplain<T>(host: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE' ? 'address already in use (try --port 0)' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.message;
    throw new UserError(`cannot listen on ${host}:${port}: ${why}`);
  }
}

/** Resolves at the first SIGINT or SIGTERM (and stops listening for them). */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
