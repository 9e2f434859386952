/**
 * The run report page: the header (verdicts, campaign, replay command, node logs) is rendered
 * here with every value escaped; the timeline, charts, anomalies and witnesses are drawn by the
 * inline script from the JSON in `<script type="application/json" id="report-data">`.
 */
import { randomBytes } from 'node:crypto';
import { COVERAGE_COUNTS, COVERAGE_LABELS, type Coverage } from '../core/coverage.js';
import { describeExpected, judgeExpectation } from '../core/expectation.js';
import type { CheckResult, Validity } from '../core/result.js';
import { asset } from './assets.js';
import type { ReportData } from './data.js';
import { escapeHtml as h, jsonForScript, relativeHref } from './escape.js';

export function verdictClass(valid: Validity | undefined): string {
  return valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown';
}

export function verdictText(valid: Validity | undefined): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}

/** A Content-Security-Policy that lets only this page's own inline script run, and loads nothing. */
export function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function renderRunPage(data: ReportData): string {
  const nonce = newNonce();
  const m = data.meta;
  const title = `${m.campaign ?? 'run'} ${m.runId ?? ''}`.trim();
  const kinds = anomalyCounts(data.results);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(contentSecurityPolicy(nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline: ${h(title)} (${h(verdictText(m.valid))})</title>
<style>${asset('report.css')}</style>
</head>
<body>
<header>
<h1>faultline run: ${h(m.campaign ?? '(unknown campaign)')} <span id="verdict" class="badge verdict-big ${verdictClass(m.valid)}">${h(verdictText(m.valid))}</span></h1>
<p class="meta">${[
    ['system', m.system],
    ['seed', m.seed],
    ['run', m.runId],
    ['started', m.startedAt],
    ['duration', m.durationMs !== undefined ? `${(m.durationMs / 1000).toFixed(1)} s` : undefined],
    ['history', `${m.historyOps} ops, ${data.calls.start.length} client calls`],
  ]
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<span><b>${h(String(k))}</b> ${h(String(v))}</span>`)
    .join('')}</p>
${m.interrupted ? `<p class="highlight-bar" style="display:block">Interrupted: ${h(m.interrupted)}</p>` : ''}
${m.badLines ? `<p class="highlight-bar" style="display:block">${m.badLines} line(s) of history.jsonl were not ops and are left out.</p>` : ''}
${m.resultsProblem ? `<p class="highlight-bar" id="results-unreadable" style="display:block">Unreadable: ${h(m.resultsProblem)}; the verdicts are left out (<code>npx faultline check ${h(m.dir)}</code> checks the run again).</p>` : ''}
${expectation(data)}
${coverageLine(data)}
<table id="verdicts">
<tr><th>checker</th><th>verdict</th><th class="num">anomalies</th><th>summary</th></tr>
${data.results.map((r) => verdictRow(r)).join('\n')}
${data.results.length === 0 ? '<tr><td colspan="4">No checker results (results.json is missing or names no checkers).</td></tr>' : ''}
</table>
${kinds.length ? `<p class="meta">Anomalies: ${kinds.map(([k, n]) => `<span>${h(k)} × ${n}</span>`).join('')}</p>` : ''}
<div class="replay"><pre id="replay-command">${h(m.replay ?? `npx faultline run ${m.campaign ?? '<campaign>'}${m.seed !== undefined ? ` --seed ${m.seed}` : ''}`)}</pre><button id="copy-replay" type="button">copy</button></div>
<p class="meta">Node logs: ${data.logs.length ? data.logs.map((l) => `<a class="log-link" href="${h(relativeHref('logs', `${l.node}.log`))}">${h(l.node)}</a> <span class="muted">(${formatBytes(l.bytes)})</span>`).join(' · ') : 'none'} · <a href="history.jsonl">history.jsonl</a> · <a href="results.json">results.json</a> · <a href="campaign.yaml">campaign.yaml</a></p>
<details><summary>campaign.yaml (resolved, with the seed)</summary><pre id="campaign-yaml">${h(data.campaignYaml)}</pre></details>
</header>
<main>
<section id="timeline-section">
<h2>Timeline</h2>
<div class="toolbar">
<button id="zoom-in" type="button" title="zoom in">+</button><button id="zoom-out" type="button" title="zoom out">−</button>
<button id="pan-left" type="button" title="earlier">◀</button><button id="pan-right" type="button" title="later">▶</button>
<button id="zoom-reset" type="button">whole run</button><span id="range" class="range"></span>
<span class="hint">drag across a chart to zoom · double-click for the whole run · ctrl+wheel zooms · click an op for details</span>
</div>
<div id="highlight-bar" class="highlight-bar"></div>
<div class="legend"><span><span class="swatch" style="background:var(--ok)"></span>ok</span><span><span class="swatch" style="background:var(--fail)"></span>fail</span><span><span class="swatch" style="background:var(--info)"></span>info (unknown)</span><span><span class="swatch" style="background:var(--pending)"></span>no completion</span>${faultLegend(data)}<span><span class="swatch" style="background:#1c7ed6"></span>leader</span><span><span class="swatch" style="background:#d0ebff"></span>follower</span><span><span class="swatch" style="background:#495057"></span>node down</span></div>
<div class="chart"><div id="timeline-scroll" class="tl-scroll"><canvas id="timeline" role="img" aria-label="timeline: every client operation by client lane, node roles and faults"></canvas><div id="timeline-spacer"></div></div></div>
<div id="op-details"></div>
<h2>Latency</h2>
<div id="latency-legend" class="legend"></div>
<div class="chart plot"><canvas id="latency" role="img" aria-label="latency of every operation over time"></canvas></div>
<h2>Throughput</h2>
<div class="chart plot"><canvas id="throughput" role="img" aria-label="throughput over time, ok, fail and info"></canvas></div>
</section>
<section><h2>Anomalies</h2><div id="anomalies"></div></section>
<section><h2>Linearizability: partial linearizations</h2><div id="witnesses"></div></section>
<section><h2>Latency and availability (perf checker)</h2><div id="perf"></div></section>
<section><h2>Faults</h2><div id="faults"></div></section>
</main>
<div id="tooltip" class="tooltip"></div>
<footer>Generated by faultline from ${h(m.dir)}. Re-render with <code>npx faultline report ${h(m.dir)}</code>.</footer>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script nonce="${nonce}">${asset('report.js')}</script>
</body>
</html>
`;
}

/** A swatch per kind of fault in this run, in the colours its fault module gives it. */
function faultLegend(data: ReportData): string {
  const kinds = [...new Set(data.faults.map((f) => f.kind))].filter((k) => data.faultStyles[k]);
  return kinds.map((k) => `<span><span class="swatch" style="background:${h(data.faultStyles[k]!.legend)}"></span>${h(k)}</span>`).join('');
}

function verdictRow(r: CheckResult): string {
  return `<tr class="verdict-row" data-checker="${h(String(r.checker))}"><td>${h(String(r.checker))}</td><td><span class="badge ${verdictClass(r.valid)}">${h(verdictText(r.valid))}</span></td><td class="num">${(r.anomalies ?? []).length}</td><td>${h(String(r.summary ?? ''))}</td></tr>`;
}

function expectation(data: ReportData): string {
  const e = data.meta.expected;
  if (!e) return '';
  const { met, shortfalls: short } = judgeExpectation(data.results, data.meta.valid ?? 'unknown', e, coverageOfMeta(data));
  return `<p class="meta" id="expected">Expected: ${h(describeExpected(e))}: <b>${met ? 'as expected' : 'NOT as expected'}</b>${short.length ? ` (${h(short.join('; '))})` : ''}</p>`;
}

function coverageOfMeta(data: ReportData): Coverage | undefined {
  return data.meta.coverage as Coverage | undefined;
}

/** Every coverage count of the run (results.json `coverage`), one figure each. */
function coverageLine(data: ReportData): string {
  const c = coverageOfMeta(data);
  if (!c) return '';
  const note = c.statusSamples === 0 ? ' <span class="muted">(no status samples: the leader counts are unknown)</span>' : '';
  return `<p class="meta" id="coverage"><b>Coverage</b> ${COVERAGE_COUNTS.map((k) => `<span data-count="${k}">${c[k]} ${h(COVERAGE_LABELS[k])}</span>`).join('')}${note}</p>`;
}

/** Anomaly kinds and counts over all checkers, most frequent first. */
export function anomalyCounts(results: readonly CheckResult[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of results) for (const a of r.anomalies ?? []) counts.set(String(a.kind), (counts.get(String(a.kind)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}
