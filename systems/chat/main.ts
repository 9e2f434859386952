/**
 * The chat server (course system 3): WebSocket pub/sub with per-room sequences, and a small
 * `GET /health` on the same port. Env: PORT (8080), NODE_ID (chat1, for logs), DATA_DIR (data),
 * HEARTBEAT_MS (30000), PRESENCE_TIMEOUT_MS (60000), JOIN_HISTORY (50), HISTORY_LIMIT (100),
 * MAX_FRAME_BYTES (1 MiB), HOST (127.0.0.1), BUGS (sequence-reset, no-gap-fill, oldest-history,
 * join-reuses-sequence).
 */
import { WebSocketServer } from 'ws';
import { envBugs, envInt, envString } from '../common/env.js';
import { MAX_BODY_BYTES, Router, createJsonServer, exitOnSignal, listen } from '../common/http.js';
import { checkMutantFor } from '../common/mutants.js';
import { MAX_HISTORY_LIMIT } from './frames.js';
import { CHAT_BUGS, ChatServer } from './server.js';
import { MessageStore } from './store.js';

checkMutantFor('chat');
const nodeId = envString('NODE_ID', 'chat1');
const port = envInt('PORT', 8080);
const bugs = envBugs(CHAT_BUGS);
const maxFrame = envInt('MAX_FRAME_BYTES', MAX_BODY_BYTES);
const options = {
  heartbeatMs: envInt('HEARTBEAT_MS', 30_000),
  presenceTimeoutMs: envInt('PRESENCE_TIMEOUT_MS', 60_000),
  joinHistory: envInt('JOIN_HISTORY', 50),
  historyLimit: Math.min(MAX_HISTORY_LIMIT, Math.max(1, envInt('HISTORY_LIMIT', 100))),
  bugs,
};

let store: MessageStore;
try {
  store = new MessageStore(envString('DATA_DIR', 'data'), { restoreSequences: !bugs.has('sequence-reset') });
} catch (err) {
  process.stderr.write(`chat ${nodeId}: cannot read stored messages: ${(err as Error).message}\n`);
  process.exit(1);
}

const chat = new ChatServer(store, options);
const server = createJsonServer(
  new Router().on('GET', '/health', () => ({ status: 200, body: { status: 'ok', nodeId, ...chat.counts() } })),
);
const wss = new WebSocketServer({ server, maxPayload: maxFrame });
wss.on('error', (err) => process.stderr.write(`chat ${nodeId}: ${err.message}\n`));
chat.attach(wss);

try {
  await listen(server, port);
} catch (err) {
  process.stderr.write(`chat ${nodeId}: cannot listen on port ${port}: ${(err as Error).message}\n`);
  process.exit(1);
}
process.stdout.write(
  `chat ${nodeId} listening on ${process.env.HOST ?? '127.0.0.1'}:${port} ` +
    `(${store.recovered} stored messages recovered, bugs: ${[...bugs].join(',') || 'none'})\n`,
);

exitOnSignal(server, () => {
  chat.close();
  wss.close();
});
