/** Entry point of one Raft node: `node dist/systems/raft/main.js` (configuration from env; see README.md). */
import { createJsonServer, exitOnSignal, listen } from '../common/http.js';
import { checkMutantFor } from '../common/mutants.js';
import { closeConnections, setMaxSockets } from '../common/rpc.js';
import { raftRouter, RPC_MAX_BODY_BYTES } from './api.js';
import { ConfigError, loadConfig, type RaftConfig } from './config.js';
import { RaftNode } from './node.js';
import { DurableStorage, VolatileStorage } from './persistence.js';

function fail(message: string): never {
  process.stderr.write(`raft: ${message}\n`);
  process.exit(2);
}

checkMutantFor('raft');

let config: RaftConfig;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

// Room for requests that hang on a dropped link (until their deadline) next to the fresh ones.
setMaxSockets(32);

const storage = config.bugs.has('volatile-state') ? new VolatileStorage() : new DurableStorage(config.dataDir);
const node = new RaftNode(config, storage);
try {
  node.start();
} catch (err) {
  fail(`cannot load state from ${config.dataDir}: ${(err as Error).message}`);
}

const server = createJsonServer(raftRouter(node), { maxBodyBytes: RPC_MAX_BODY_BYTES });
try {
  await listen(server, config.port, config.host);
} catch (err) {
  fail(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
}
node.say(`listening on ${config.host}:${config.port}${config.bugs.size ? `, BUGS=${[...config.bugs].join(',')}` : ''}`);

exitOnSignal(server, () => {
  node.stop();
  closeConnections();
});
