/**
 * The queue producer (course system 1): holds the queue, leases tasks to workers, journals every
 * change in DATA_DIR. Env: PORT (3000), NODE_ID (producer1, for logs), DATA_DIR (data),
 * LEASE_MS (30000), MAX_RETRIES (3), HOST (127.0.0.1), BUGS (no-lease, volatile).
 */
import { envBugs, envInt, envString } from '../common/env.js';
import { createJsonServer, exitOnSignal, listen } from '../common/http.js';
import { checkMutantFor } from '../common/mutants.js';
import { Producer, QUEUE_BUGS } from './producer.js';
import { producerRoutes } from './routes.js';

checkMutantFor('queue');
const nodeId = envString('NODE_ID', 'producer1');
const port = envInt('PORT', 3000);
const leaseMs = envInt('LEASE_MS', 30_000);
const bugs = envBugs(QUEUE_BUGS);

let producer: Producer;
try {
  producer = new Producer({ dataDir: envString('DATA_DIR', 'data'), leaseMs, maxRetries: envInt('MAX_RETRIES', 3), bugs });
} catch (err) {
  process.stderr.write(`queue ${nodeId}: cannot recover the journal: ${(err as Error).message}\n`);
  process.exit(1);
}

const server = createJsonServer(producerRoutes(producer));
const sweep = setInterval(() => producer.expireLeases(), Math.max(10, Math.min(1000, Math.floor(leaseMs / 5))));

try {
  await listen(server, port);
} catch (err) {
  process.stderr.write(`queue ${nodeId}: cannot listen on port ${port}: ${(err as Error).message}\n`);
  process.exit(1);
}
const bugList = [...bugs].join(',') || 'none';
process.stdout.write(
  `queue producer ${nodeId} listening on ${process.env.HOST ?? '127.0.0.1'}:${port} ` +
    `(lease ${leaseMs} ms, ${producer.recovered} journal events recovered, bugs: ${bugList})\n`,
);

exitOnSignal(server, () => {
  clearInterval(sweep);
  producer.close();
});
