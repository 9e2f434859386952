/**
 * One node of the replicated key-value store (COURSE-SYSTEMS.md section 2).
 * `NODE_ID=node-1 PORT=4001 PEERS=node-2=http://127.0.0.1:4002,node-3=http://127.0.0.1:4003 node dist/systems/store/main.js`
 */
import { createJsonServer, listen } from '../common/http.js';
import { checkMutantFor } from '../common/mutants.js';
import { closeConnections } from '../common/rpc.js';
import { ConfigError, loadConfig } from './config.js';
import { storeRouter } from './api.js';
import { StoreNode } from './node.js';

function fail(message: string): never {
  process.stderr.write(`store: ${message}\n`);
  process.exit(2);
}

checkMutantFor('store');

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

const id = config.nodeId;
const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${id} ${message}\n`);
};

let node: StoreNode;
try {
  node = new StoreNode(config, log);
} catch (err) {
  fail((err as Error).message);
}

const server = createJsonServer(storeRouter(node));
try {
  await listen(server, config.port, config.host);
} catch (err) {
  fail(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
}
const bugs = [...config.bugs];
log(
  `listening on ${config.host}:${config.port}; peers ${config.peers.map((p) => (p.id ? `${p.id}=${p.url}` : p.url)).join(',') || '(none)'}; ` +
    `W=${config.writeQuorum} R=${config.readQuorum} heartbeat ${config.heartbeatMs} ms, election timeout ${config.electionTimeoutMs} ms` +
    `${config.dataDir ? `, data in ${config.dataDir}` : ''}${bugs.length ? `; BUGS=${bugs.join(',')}` : ''}`,
);
node.start();

// a failure inside a background round (a disk error while saving) is logged, never fatal
process.on('unhandledRejection', (err) => log(`background error: ${(err as Error)?.message ?? String(err)}`));

const shutdown = (): void => {
  node.stop();
  closeConnections();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
