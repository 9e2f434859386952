/** The store's HTTP routes (COURSE-SYSTEMS.md section 2), on the shared JSON server. */
import { HttpError, Router, type Request } from '../common/http.js';
import { parseBeat, parseGet, parseReplicate, parseSnapshot } from './messages.js';
import { StoreNode, type Consistency } from './node.js';

const LEVELS: readonly Consistency[] = ['strong', 'eventual', 'read_your_writes'];

function consistency(req: Request): Consistency {
  const raw = req.query.get('consistency') ?? 'eventual';
  if (!(LEVELS as readonly string[]).includes(raw)) {
    throw new HttpError(400, { error: `Invalid consistency "${raw}"; use one of: ${LEVELS.join(', ')}` });
  }
  return raw as Consistency;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function storeRouter(node: StoreNode): Router {
  const router = new Router();
  router.on('GET', '/status', () => ({ status: 200, body: node.status() }));
  router.on('GET', '/committed', () => ({ status: 200, body: node.committed() }));

  router.on('GET', '/key/{key}', async (req) => {
    const level = consistency(req);
    const session = StoreNode.sessionVersion(header(req, 'x-session-version') ?? req.query.get('after') ?? undefined);
    return node.read(req.params.key!, level, session);
  });

  router.on('PUT', '/key/{key}', async (req) => {
    const key = req.params.key!;
    const value = await req.json();
    const w = await node.put(key, value);
    return {
      status: 200,
      body: {
        success: true,
        key,
        value,
        leaderId: node.me,
        achievedQuorum: w.achievedQuorum,
        writeQuorum: node.config.writeQuorum,
        version: w.version,
        acks: w.acks,
      },
    };
  });

  router.on('DELETE', '/key/{key}', async (req) => {
    const key = req.params.key!;
    const w = await node.delete(key);
    if (!w) return { status: 404, body: { error: 'Key not found', key } };
    return {
      status: 200,
      body: { success: true, key, leaderId: node.me, achievedQuorum: w.achievedQuorum, writeQuorum: node.config.writeQuorum, version: w.version },
    };
  });

  router.on('POST', '/internal/heartbeat', async (req) => ({ status: 200, body: node.onHeartbeat(parseBeat(await req.json())) }));
  router.on('POST', '/internal/replicate', async (req) => ({ status: 200, body: node.onReplicate(parseReplicate(await req.json())) }));
  router.on('POST', '/internal/snapshot', async (req) => ({ status: 200, body: node.onSnapshot(parseSnapshot(await req.json())) }));
  router.on('POST', '/internal/get', async (req) => {
    const { key, nodeId } = parseGet(await req.json());
    return { status: 200, body: node.onGet(key, nodeId) };
  });
  return router;
}
