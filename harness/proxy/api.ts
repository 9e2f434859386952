/**
 * The Toxiproxy v2 HTTP API over a set of proxies: the same routes, JSON bodies, field names,
 * defaults, status codes and error JSON (`{"error": ..., "status": ...}`) as Shopify's server
 * (api.go), so toxiproxy-node-client and the other clients work against it unmodified.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from './errors.js';
import { parseAddress, Proxy } from './proxy.js';
import { isToxicType, toxicAttributes, toxicJson, type StreamDirection, type Toxic, type ToxicType } from './toxics.js';

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

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) throw new ApiError(`method ${method} not allowed on ${path}`, 405);
    };
    if (parts.length === 1 && parts[0] === 'version') {
      allow('GET');
      return { status: 200, body: { version: EMBEDDED_VERSION } };
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
        return this.updateToxic(toxic, body);
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

  private async populate(body: string): Promise<Reply> {
    const parsed = parseJson(body);
    if (!Array.isArray(parsed)) throw errors.badRequestBody('expected a JSON array of proxies');
    const inputs = parsed.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw errors.badRequestBody(`proxy ${i + 1} is not a JSON object`);
      }
      return parseProxyInput(item as Json, ` at proxy ${i + 1}`);
    });
    const names = new Set<string>();
    for (const input of inputs) {
      if (names.has(input.name)) throw new ApiError(`duplicate proxy name "${input.name}"`, 500);
      names.add(input.name);
    }
    const done: Proxy[] = [];
    for (const input of inputs) {
      const existing = this.proxies.get(input.name);
      if (existing && existing.listen === input.listen && existing.upstream === input.upstream) {
        done.push(existing);
        continue;
      }
      if (existing) {
        await existing.stop();
        this.proxies.delete(existing.name);
      }
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
    checkAddress('listen', listen);
    checkAddress('upstream', upstream);
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
    const toxic: Toxic = { name, type, stream: stream as StreamDirection, toxicity, attributes };
    proxy.addToxic(toxic);
    return { status: 200, body: toxicJson(toxic) };
  }

  private updateToxic(toxic: Toxic, body: string): Reply {
    const input = parseObject(body);
    const attributes = parseAttributes(toxic.type, input['attributes'], toxic.attributes);
    const toxicity = optionalToxicity(input) ?? toxic.toxicity;
    // stages read the attributes live, so an update reaches open connections at once
    Object.assign(toxic.attributes, attributes);
    toxic.toxicity = toxicity;
    return { status: 200, body: toxicJson(toxic) };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1 << 20) {
        reject(errors.badRequestBody('body larger than 1 MiB'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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

function checkAddress(field: string, value: string): void {
  if (!parseAddress(value)) throw errors.badRequestBody(`${field} "${value}" is not host:port`);
}

function parseProxyInput(input: Json, where: string): { name: string; listen: string; upstream: string; enabled: boolean } {
  const name = optionalString(input, 'name') ?? '';
  if (name === '') throw errors.missingField(`name${where}`);
  const upstream = optionalString(input, 'upstream') ?? '';
  if (upstream === '') throw errors.missingField(`upstream${where}`);
  // Toxiproxy listens on every interface when listen is empty; faultline stays on loopback
  const listen = optionalString(input, 'listen') || '127.0.0.1:0';
  checkAddress('listen', listen);
  checkAddress('upstream', upstream);
  const enabled = optionalBoolean(input, 'enabled') ?? true;
  return { name, listen, upstream, enabled };
}

function parseAttributes(type: ToxicType, raw: unknown, current: Record<string, number>): Record<string, number> {
  const names = toxicAttributes[type];
  const out: Record<string, number> = {};
  for (const n of names) out[n] = current[n] ?? 0;
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw errors.badRequestBody('attributes must be a JSON object');
  for (const [k, v] of Object.entries(raw as Json)) {
    if (!names.includes(k)) continue; // Go ignores unknown fields
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw errors.badRequestBody(`attribute "${k}" of a ${type} toxic must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
    out[k] = v;
  }
  return out;
}
