/**
 * The Toxiproxy v2 HTTP API over a set of proxies: the same routes, JSON bodies, field names,
 * defaults, status codes and error JSON (`{"error": ..., "status": ...}`) as Shopify's server
 * (api.go), so toxiproxy-node-client and the other clients work against it unmodified.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Random } from '../../core/random.js';
import { ApiError, errors } from './errors.js';
import { prometheusText } from './metrics.js';
import { Proxy } from './proxy.js';
import { isToxicType, toxicAttributes, toxicJson, type StreamDirection, type Toxic, type ToxicType } from './toxics.js';

/** Largest request body the API reads (1 MiB); a bigger one is answered 413. */
export const MAX_BODY_BYTES = 1 << 20;

export interface ToxiproxyApiOptions {
  /**
   * Seeds every toxic's random choices (toxicity per connection, jitter, slice sizes): the n-th
   * toxic created on this server draws from a stream fixed by the seed and n, so a run replayed
   * with its seed makes the same per-connection choices. Default: a random seed.
   */
  seed?: number;
}

export const EMBEDDED_VERSION = '2.12.0-faultline';

type Json = Record<string, unknown>;

interface Reply {
  status: number;
  body?: unknown;
}

export class ToxiproxyApi {
  readonly proxies = new Map<string, Proxy>();
  /** Requests run one at a time, so a change is never seen half done. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly random: Random;
  private toxicsCreated = 0;

  constructor(options: ToxiproxyApiOptions = {}) {
    this.random = new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // every answer carries a request id, as Toxiproxy's (an xid: 20 base32hex characters)
    res.setHeader('X-Toxiproxy-Request-Id', requestId());
    let reply: Reply;
    try {
      const body = await readBody(req);
      if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
        // Toxiproxy refuses browsers (a page could otherwise drive it)
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('User agent not allowed\n');
        return;
      }
      const run = this.queue.then(() => this.route(req.method ?? 'GET', req.url ?? '/', body));
      this.queue = run.catch(() => undefined);
      reply = await run;
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), 500);
      reply = { status: e.status, body: { error: e.message, status: e.status } };
    }
    if (reply.body === undefined) {
      res.writeHead(reply.status).end();
    } else if (typeof reply.body === 'string') {
      res.writeHead(reply.status, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(reply.body);
    } else {
      res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(reply.body)}\n`);
    }
  }

  /** Stops every proxy (the server is closing). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
  }

  private async route(method: string, url: string, body: string): Promise<Reply> {
    const path = new URL(url, 'http://x').pathname;
    const parts = path.split('/').filter((p) => p !== '').map((p) => decodePart(p, path));
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) throw new ApiError(`method ${method} not allowed on ${path}`, 405);
    };
    if (parts.length === 1 && parts[0] === 'version') {
      allow('GET');
      return { status: 200, body: { version: EMBEDDED_VERSION } };
    }
    if (parts.length === 1 && parts[0] === 'metrics') {
      allow('GET');
      return { status: 200, body: prometheusText([...this.proxies.values()]) };
    }
    if (parts.length === 1 && parts[0] === 'reset') {
      allow('POST');
      for (const p of this.proxies.values()) {
        await p.start();
        p.resetToxics();
      }
      return { status: 204 };
    }
    if (parts.length === 1 && parts[0] === 'populate') {
      allow('POST');
      return this.populate(body);
    }
    if (parts[0] === 'proxies') {
      if (parts.length === 1) {
        allow('GET', 'POST');
        if (method === 'GET') {
          const all: Json = {};
          for (const [name, p] of this.proxies) all[name] = p.json();
          return { status: 200, body: all };
        }
        return this.createProxy(body);
      }
      const proxy = this.proxies.get(parts[1]!);
      if (parts.length === 2) {
        allow('GET', 'POST', 'PATCH', 'DELETE');
        if (!proxy) throw errors.proxyNotFound();
        if (method === 'GET') return { status: 200, body: proxy.json() };
        if (method === 'DELETE') {
          await proxy.stop();
          this.proxies.delete(proxy.name);
          return { status: 204 };
        }
        return this.updateProxy(proxy, body);
      }
      if (parts[2] === 'toxics' && parts.length === 3) {
        allow('GET', 'POST');
        if (!proxy) throw errors.proxyNotFound();
        if (method === 'GET') return { status: 200, body: proxy.toxicList().map(toxicJson) };
        return this.createToxic(proxy, body);
      }
      if (parts[2] === 'toxics' && parts.length === 4) {
        allow('GET', 'POST', 'PATCH', 'DELETE');
        if (!proxy) throw errors.proxyNotFound();
        const toxic = proxy.findToxic(parts[3]!);
        if (!toxic) throw errors.toxicNotFound();
        if (method === 'GET') return { status: 200, body: toxicJson(toxic) };
        if (method === 'DELETE') {
          proxy.removeToxic(toxic);
          return { status: 204 };
        }
        return this.updateToxic(proxy, toxic, body);
      }
    }
    throw new ApiError(`no route ${method} ${path}`, 404);
  }

  private async createProxy(body: string): Promise<Reply> {
    const input = parseProxyInput(parseObject(body), '');
    if (this.proxies.has(input.name)) throw errors.proxyAlreadyExists();
    const proxy = new Proxy(input.name, input.listen, input.upstream);
    this.proxies.set(proxy.name, proxy);
    if (input.enabled) {
      try {
        await proxy.start();
      } catch (err) {
        this.proxies.delete(proxy.name);
        throw err;
      }
    }
    return { status: 201, body: proxy.json() };
  }

  /**
   * As Toxiproxy: every entry is checked for a name and an upstream first (400, nothing made);
   * then each is created in turn, keeping a proxy of the same name when its listen and upstream
   * are the same and replacing it otherwise (also one made earlier in the same call). When one
   * cannot start, the answer is its error (500) with the `proxies` made before it.
   */
  private async populate(body: string): Promise<Reply> {
    const parsed = parseJson(body);
    if (!Array.isArray(parsed)) throw errors.badRequestBody('expected a JSON array of proxies');
    const inputs = parsed.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw errors.badRequestBody(`proxy ${i + 1} is not a JSON object`);
      }
      return parseProxyInput(item as Json, ` at proxy ${i + 1}`);
    });
    const done: Proxy[] = [];
    for (const input of inputs) {
      const existing = this.proxies.get(input.name);
      if (existing && existing.listen === input.listen && existing.upstream === input.upstream) {
        done.push(existing);
        continue;
      }
      if (existing) await existing.stop();
      const proxy = new Proxy(input.name, input.listen, input.upstream);
      if (input.enabled) {
        try {
          await proxy.start();
        } catch (err) {
          const e = err instanceof ApiError ? err : new ApiError(String(err), 500);
          return { status: e.status, body: { error: e.message, status: e.status, proxies: done.map((p) => p.json()) } };
        }
      }
      this.proxies.set(proxy.name, proxy);
      done.push(proxy);
    }
    return { status: 201, body: { proxies: done.map((p) => p.json()) } };
  }

  private async updateProxy(proxy: Proxy, body: string): Promise<Reply> {
    const input = parseObject(body);
    const listen = optionalString(input, 'listen') ?? proxy.listen;
    const upstream = optionalString(input, 'upstream') ?? proxy.upstream;
    const enabled = optionalBoolean(input, 'enabled') ?? proxy.enabled;
    await proxy.update({ listen, upstream, enabled });
    return { status: 200, body: proxy.json() };
  }

  private createToxic(proxy: Proxy, body: string): Reply {
    const input = parseObject(body);
    const stream = optionalString(input, 'stream') ?? 'downstream';
    if (stream !== 'upstream' && stream !== 'downstream') throw errors.invalidStream();
    const type = optionalString(input, 'type') ?? '';
    const name = optionalString(input, 'name') || `${type}_${stream}`;
    if (!isToxicType(type)) throw errors.invalidToxicType();
    if (proxy.findToxic(name)) throw errors.toxicAlreadyExists();
    const toxicity = optionalToxicity(input) ?? 1;
    const attributes = parseAttributes(type, input['attributes'], {});
    const random = this.random.fork(`toxic ${++this.toxicsCreated}`);
    const toxic: Toxic = { name, type, stream: stream as StreamDirection, toxicity, attributes, random };
    proxy.addToxic(toxic);
    return { status: 200, body: toxicJson(toxic) };
  }

  private updateToxic(proxy: Proxy, toxic: Toxic, body: string): Reply {
    const input = parseObject(body);
    const attributes = parseAttributes(toxic.type, input['attributes'], toxic.attributes);
    const toxicity = optionalToxicity(input) ?? toxic.toxicity;
    Object.assign(toxic.attributes, attributes);
    toxic.toxicity = toxicity;
    // as Toxiproxy: every open connection runs the toxic again (toxicity drawn again)
    proxy.updateToxic(toxic);
    return { status: 200, body: toxicJson(toxic) };
  }
}

/** The request body as text; over MAX_BODY_BYTES the rest is read and dropped, then 413. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new ApiError(`request body larger than ${MAX_BODY_BYTES} bytes (1 MiB)`, 413));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** A path segment with its %-escapes decoded; a malformed escape is a 400. */
function decodePart(part: string, path: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ApiError(`bad request: malformed %-escape in path ${JSON.stringify(path)}`, 400);
  }
}

/** An xid-shaped id (20 characters of 0-9a-v), as Toxiproxy's X-Toxiproxy-Request-Id. */
function requestId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let id = '';
  for (const b of randomBytes(20)) id += alphabet[b & 31];
  return id;
}

function parseJson(body: string): unknown {
  if (body.trim() === '') throw errors.badRequestBody('EOF');
  try {
    return JSON.parse(body);
  } catch (err) {
    throw errors.badRequestBody((err as Error).message);
  }
}

function parseObject(body: string): Json {
  const v = parseJson(body);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw errors.badRequestBody('expected a JSON object');
  return v as Json;
}

function optionalString(input: Json, field: string): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw errors.badRequestBody(`field "${field}" must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function optionalBoolean(input: Json, field: string): boolean | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw errors.badRequestBody(`field "${field}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function optionalToxicity(input: Json): number | undefined {
  const v = input['toxicity'];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw errors.badRequestBody(`field "toxicity" must be a number from 0 to 1, got ${JSON.stringify(v)}`);
  }
  return v;
}

function parseProxyInput(input: Json, where: string): { name: string; listen: string; upstream: string; enabled: boolean } {
  const name = optionalString(input, 'name') ?? '';
  if (name === '') throw errors.missingField(`name${where}`);
  const upstream = optionalString(input, 'upstream') ?? '';
  if (upstream === '') throw errors.missingField(`upstream${where}`);
  // Toxiproxy listens on every interface when listen is empty; faultline stays on loopback
  const listen = optionalString(input, 'listen') || '127.0.0.1:0';
  const enabled = optionalBoolean(input, 'enabled') ?? true;
  return { name, listen, upstream, enabled };
}

function parseAttributes(type: ToxicType, raw: unknown, current: Record<string, number>): Record<string, number> {
  const known = toxicAttributes[type];
  const out: Record<string, number> = {};
  for (const { name } of known) out[name] = current[name] ?? 0;
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw errors.badRequestBody('attributes must be a JSON object');
  for (const [k, v] of Object.entries(raw as Json)) {
    const attribute = known.find((a) => a.name === k);
    if (!attribute) continue; // Go ignores unknown fields
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > attribute.max) {
      throw errors.badRequestBody(
        `attribute "${k}" of a ${type} toxic must be an integer from 0 to ${attribute.max}, got ${JSON.stringify(v)}`,
      );
    }
    out[k] = v;
  }
  return out;
}
