/**
 * A stand-in Docker engine for tests (an HTTP server on a unix socket, for DOCKER_HOST): it
 * answers what a run asks before making its base image (ping, empty container and network
 * lists, "no such image"), and a pull or a build starts (one progress line) and then never ends.
 * Given containers (a compose project's), it lists and inspects them as running.
 * It records every request and whether the client closed it, so a test sees that an interrupted
 * pull or build was cancelled and that nothing was tagged (it never tags).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

export interface EngineRequest {
  method: string;
  path: string;
  /** Request body bytes received (a build's context). */
  bodyBytes: number;
  /** The client closed the connection before a response ended (a pull or build cancelled). */
  closedByClient: boolean;
}

/** A running container the engine shows (a compose project's, for --attach). */
export interface StandInContainer {
  id: string;
  labels: Record<string, string>;
  network: string;
  ip: string;
}

export interface StandInEngine {
  /** For DOCKER_HOST. */
  dockerHost: string;
  requests: EngineRequest[];
  /** Resolves with the first request whose path matches. */
  waitFor(path: RegExp, timeoutMs: number): Promise<EngineRequest>;
  close(): Promise<void>;
}

export async function startStandInEngine(dir: string, options: { containers?: StandInContainer[] } = {}): Promise<StandInEngine> {
  const containers = options.containers ?? [];
  const socket = join(dir, 'docker.sock');
  const requests: EngineRequest[] = [];
  const waiters: { path: RegExp; resolve: (r: EngineRequest) => void }[] = [];
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const hang = (res: ServerResponse, line: object): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(JSON.stringify(line) + '\n');
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').replace(/^\/v[\d.]+/, '');
    const record: EngineRequest = { method: req.method ?? 'GET', path, bodyBytes: 0, closedByClient: false };
    requests.push(record);
    req.on('data', (chunk: Buffer) => (record.bodyBytes += chunk.length));
    res.on('close', () => {
      if (!res.writableFinished) record.closedByClient = true;
    });
    for (const w of waiters.filter((w) => w.path.test(path))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(record);
    }
    if (path.startsWith('/_ping')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    if (path.startsWith('/containers/json')) {
      return json(res, 200, containers.map((c) => ({ Id: c.id, Names: [`/${c.id}`], State: 'running', Labels: c.labels, ImageID: 'sha256:0' })));
    }
    const inspect = /^\/containers\/([^/?]+)\/json/.exec(path);
    const container = containers.find((c) => c.id === inspect?.[1]);
    if (container) {
      return json(res, 200, {
        Id: container.id,
        Name: `/${container.id}`,
        State: { Status: 'running', Running: true },
        Config: { Env: [], Labels: container.labels },
        NetworkSettings: { Networks: { [container.network]: { IPAddress: container.ip } } },
      });
    }
    if (path.startsWith('/networks')) return json(res, 200, []);
    if (path.startsWith('/images/json')) return json(res, 200, []);
    if (/^\/images\/[^?]+\/json/.test(path)) return json(res, 404, { message: 'No such image' });
    if (path.startsWith('/images/create')) return hang(res, { status: 'Pulling from library/node' });
    if (path.startsWith('/build')) {
      // Reads the whole context slowly: the upload itself is under way for a long time.
      req.pause();
      const drip = setInterval(() => req.read(), 50);
      req.once('close', () => clearInterval(drip));
      return hang(res, { stream: 'Step 1/4 : FROM scratch\n' });
    }
    json(res, 404, { message: `stand-in engine: no route ${req.method} ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  return {
    dockerHost: `unix://${socket}`,
    requests,
    waitFor(path, timeoutMs) {
      const seen = requests.find((r) => path.test(r.path));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stand-in engine: no request ${path} in ${timeoutMs} ms (saw ${requests.map((r) => `${r.method} ${r.path}`).join(', ')})`)), timeoutMs);
        waiters.push({
          path,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
