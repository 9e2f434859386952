import { request } from 'node:http';
import type { Endpoint } from './runtime.js';

/** GET http://host:port/path; resolves with the status code, or undefined when nothing answered in time. */
export function probe(endpoint: Endpoint, path: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: endpoint.host, port: endpoint.port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** GET a JSON answer; undefined when nothing answered in time or the body is not JSON. */
export function getJson(endpoint: Endpoint, path: string, timeoutMs: number): Promise<{ status: number; body: unknown } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: endpoint.host, port: endpoint.port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          resolve({ error: `HTTP ${res.statusCode}: not JSON` });
        }
      });
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}
