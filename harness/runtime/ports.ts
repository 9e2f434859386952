import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** A port held by a listener of this process until release(): nothing else can bind it meanwhile. */
export interface HeldPort {
  readonly port: number;
  /** Closes the holding listener; the port is then free for the program it was held for. */
  release(): Promise<void>;
}

/** The range the kernel takes ports from for bind(:0) and outgoing connections (Linux; its default elsewhere). */
export function ephemeralRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && low! <= high!) return [low!, high!];
  } catch {
    // not Linux
  }
  return [32768, 60999];
}

/**
 * Node ports come from the 10,000 ports below the ephemeral range, where the kernel never hands
 * one out by itself: a node's port stays its own while the node is down between a kill and its
 * restart, whatever else on the machine binds port 0 or connects meanwhile. Undefined when the
 * ephemeral range starts too low to leave such a block.
 */
export function nodePortRange(ephemeral: [number, number] = ephemeralRange()): [number, number] | undefined {
  const high = ephemeral[0] - 1;
  const low = Math.max(10_000, high - 9_999);
  return high - low >= 999 ? [low, high] : undefined;
}

function listenOn(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => socket.destroy());
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (port !== 0 && (err.code === 'EADDRINUSE' || err.code === 'EACCES')) resolve(undefined);
      else reject(err);
    });
    server.listen(port, host, () => resolve(server));
  });
}

/** Ports this process handed out lately: not given again soon (a freePort() port is released at
 *  once, and its program may not have bound it yet when the next one is chosen). */
const recent: number[] = [];
const RECENT = 1000;

/**
 * Binds a free port on `host` (from nodePortRange, else any) and keeps the listener open. Holding
 * a node's port from the moment it is chosen until just before the node starts keeps anything
 * bound in between (the proxies) from being given the same port. A connection made to a held
 * port is closed at once.
 */
export async function holdPort(host = '127.0.0.1'): Promise<HeldPort> {
  const range = nodePortRange();
  let server: Server | undefined;
  for (let attempt = 0; range && !server && attempt < 50; attempt++) {
    const port = range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
    if (!recent.includes(port)) server = await listenOn(host, port);
  }
  server ??= (await listenOn(host, 0))!;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  recent.push(port);
  if (recent.length > RECENT) recent.shift();
  let closed: Promise<void> | undefined;
  const held = server;
  const release = (): Promise<void> => (closed ??= new Promise<void>((done) => held.close(() => done())));
  return { port, release };
}

/** A port free on `host` right now (held, then released at once). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const held = await holdPort(host);
  await held.release();
  return held.port;
}
