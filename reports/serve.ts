/**
 * `faultline serve`: an index of the runs under a directory (campaign, date, verdict, anomaly
 * counts) and the files of each run (report.html, logs, history...). Read-only, loopback by
 * default; a run without a report gets one rendered on first request.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { writeRunReport } from './index.js';
import { isRunFolder } from './load.js';
import { escapeHtml as h } from './escape.js';
import { contentSecurityPolicy, newNonce, verdictClass, verdictText } from './page.js';
import { listRuns, type RunSummary } from './runs.js';
import { asset } from './assets.js';

export interface ServeOptions {
  dir: string;
  host?: string;
  port?: number;
}

export interface ReportServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.css': 'text/css; charset=utf-8',
};

export async function startReportServer(options: ServeOptions): Promise<ReportServer> {
  const root = realpathSync(resolve(options.dir));
  const server = createServer((req, res) => {
    handle(root, req, res).catch((err: Error) => send(res, 500, 'text/plain; charset=utf-8', `error: ${err.message}\n`));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    server,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return send(res, 400, 'text/plain; charset=utf-8', 'bad path\n');
  }
  if (path === '/' || path === '/index.html') {
    const nonce = newNonce();
    return send(res, 200, TYPES['.html']!, renderIndex(root, listRuns(root)), { 'Content-Security-Policy': contentSecurityPolicy(nonce) });
  }
  if (path.includes('\0')) return send(res, 400, 'text/plain; charset=utf-8', 'bad path\n');
  const target = resolve(root, `.${path}`);
  if (!within(root, target)) return send(res, 403, 'text/plain; charset=utf-8', 'outside the served directory\n');
  // A run folder's report: render it when missing.
  if (path.endsWith('/report.html') && !existsSync(target)) {
    const dir = target.slice(0, -'/report.html'.length);
    if (isRunFolder(dir)) await writeRunReport(dir);
  }
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return send(res, 404, 'text/plain; charset=utf-8', `not found: ${path}\n`);
  }
  if (!within(root, real)) return send(res, 403, 'text/plain; charset=utf-8', 'outside the served directory\n');
  const st = statSync(real);
  if (st.isDirectory()) {
    for (const index of ['report.html', 'compare.html']) {
      if (existsSync(join(real, index))) {
        res.writeHead(302, { Location: sameOriginPath(path, index) });
        res.end();
        return;
      }
    }
    return send(res, 404, 'text/plain; charset=utf-8', `no report in ${path}\n`);
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(real)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(real).pipe(res);
}

/**
 * An absolute path on this server: each segment percent-encoded, so no folder name (`\\host`,
 * `//host`, `http:`) can make the Location point at another origin.
 */
export function sameOriginPath(dir: string, file: string): string {
  const segments = dir.split('/').filter((s) => s !== '');
  return `/${[...segments, file].map(encodeURIComponent).join('/')}`;
}

function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache', ...headers });
  res.end(body);
}

export function renderIndex(root: string, runs: readonly RunSummary[]): string {
  const href = (r: RunSummary): string =>
    `${r.path.split('/').map(encodeURIComponent).join('/')}${r.path ? '/' : ''}${r.kind === 'compare' ? 'compare.html' : 'report.html'}`;
  const rows = runs.map(
    (r) => `<tr class="run-row" data-kind="${r.kind}"><td><a href="${h(href(r))}">${h(r.campaign)}</a>${r.kind === 'compare' ? ' <span class="muted">(comparison)</span>' : ''}</td>
<td style="white-space:nowrap">${h(r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td>
<td>${r.unreadable ? `<span class="badge unknown" title="${h(r.unreadable)}">unreadable</span>` : `<span class="badge ${verdictClass(r.valid)}">${h(r.valid === undefined ? 'no verdict' : verdictText(r.valid))}</span>`}</td>
<td>${r.note ? h(r.note) : r.anomalies.length ? r.anomalies.map(([k, n]) => `${h(k)} × ${n}`).join(', ') : '<span class="muted">none</span>'}</td>
<td class="muted">${h(r.path || '.')}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline runs</title><style>${asset('report.css')}</style></head>
<body><header><h1>faultline runs</h1><p class="meta">${h(root)} · ${runs.length} entr${runs.length === 1 ? 'y' : 'ies'}</p></header>
<main><table id="runs"><tr><th>campaign</th><th>started</th><th>verdict</th><th>anomalies</th><th>folder</th></tr>
${rows.join('\n')}
${runs.length === 0 ? '<tr><td colspan="5">No runs here yet: <code>npx faultline run CAMPAIGN</code> writes them.</td></tr>' : ''}
</table></main></body></html>
`;
}
