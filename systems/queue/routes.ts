/** The producer's HTTP API: the course's routes, plus leases and `GET /task/{id}` (extensions). */
import { HttpError, Router, type Request } from '../common/http.js';
import { taskView } from './tasks.js';
import type { LeaseClaim, Outcome, Producer } from './producer.js';

/** The JSON object body of a request; an empty body is `{}`. */
async function objectBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, { error: 'Invalid JSON' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, { error: 'Body must be a JSON object' });
  }
  return value as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new HttpError(400, { error: `${field} must be a non-empty string` });
  return v;
}

function claimOf(body: Record<string, unknown>): LeaseClaim {
  const claim: LeaseClaim = {};
  const leaseId = optionalString(body, 'leaseId');
  const workerId = optionalString(body, 'workerId');
  if (leaseId !== undefined) claim.leaseId = leaseId;
  if (workerId !== undefined) claim.workerId = workerId;
  return claim;
}

function answer(outcome: Outcome, id: string, message: string) {
  if (outcome.kind === 'not-found') throw new HttpError(404, { error: 'Task not found', taskId: id });
  if (outcome.kind === 'lease-lost') {
    throw new HttpError(409, { error: 'Lease lost', taskId: id, status: outcome.task.status, reason: outcome.reason });
  }
  const body: Record<string, unknown> = { message, taskId: id, status: outcome.task.status, retries: outcome.task.retries };
  if (outcome.duplicate) body.duplicate = true;
  return { status: 200, body };
}

export function producerRoutes(producer: Producer): Router {
  return new Router()
    .on('POST', '/task', async (req) => {
      const body = await objectBody(req);
      const { type, payload } = body;
      if (typeof type !== 'string' || type === '' || payload === undefined || payload === null) {
        throw new HttpError(400, { error: 'type and payload required' });
      }
      const task = producer.enqueue(type, payload);
      return { status: 202, body: { taskId: task.id, message: 'Task enqueued', stats: producer.stats() } };
    })
    .on('GET', '/stats', () => {
      producer.expireLeases();
      return { status: 200, body: producer.stats() };
    })
    .on('GET', '/dequeue', (req) => {
      const workerId = req.query.get('workerId') || undefined;
      const task = producer.dequeue(workerId);
      return task ? { status: 200, body: taskView(task) } : { status: 204 };
    })
    .on('GET', '/task/{id}', (req) => {
      producer.expireLeases();
      const id = req.params.id!;
      const task = producer.get(id);
      if (!task) throw new HttpError(404, { error: 'Task not found', taskId: id });
      return { status: 200, body: taskView(task) };
    })
    .on('POST', '/complete/{id}', async (req) => {
      const body = await objectBody(req);
      const id = req.params.id!;
      return answer(producer.complete(id, claimOf(body), body.result ?? null), id, 'Task completed');
    })
    .on('POST', '/fail/{id}', async (req) => {
      const body = await objectBody(req);
      const id = req.params.id!;
      return answer(producer.fail(id, claimOf(body), body.error ?? 'unknown error'), id, 'Task failed');
    });
}
