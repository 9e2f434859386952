/**
 * Entry of the embedded Toxiproxy run as a child process (see child.ts): starts the server,
 * prints `{"url": ...}` on one line, and stops when told (SIGTERM/SIGINT) or when its parent
 * goes away (stdin closes), so a parent killed outright leaves no proxy listener behind.
 */
import { startEmbeddedToxiproxy } from './server.js';

const host = process.argv[2] ?? '127.0.0.1';
const port = Number(process.argv[3] ?? '0');
const seed = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
try {
  const server = await startEmbeddedToxiproxy({ host, port, ...(seed === undefined ? {} : { seed }) });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: (err as Error).message })}\n`);
  process.exit(3);
}
