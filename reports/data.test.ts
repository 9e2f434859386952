/** The report's data and escaping, without a browser. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assignLanes, buildReportData, OUTCOMES } from './data.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { writeRunReport } from './index.js';
import { readRunFolder } from './load.js';
import { staleReadHistory, writeRunFolder } from './testing/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-report-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('escaping', () => {
  it('leaves no <, >, & or line separators raw in script JSON, and round-trips', () => {
    const value = { a: '</script><script>alert(1)</script>', b: '"><img src=x onerror=alert(1)>', c: '\u2028\u2029&amp;' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('report data', () => {
  it('puts a fresh process on a lane freed before it started', () => {
    const { laneOf, labels } = assignLanes([
      { process: 0, start: 0, end: 10 },
      { process: 1, start: 0, end: 50 },
      { process: 2, start: 20, end: 30 }, // p0 is done by 20: takes lane 0
      { process: 3, start: 25, end: 60 }, // lanes 0 and 1 busy: a new lane
    ]);
    expect(laneOf).toEqual([0, 1, 0, 2]);
    expect(labels).toEqual(['p0 p2', 'p1', 'p3']);
  });

  it('pairs calls into columns, fault windows, node roles, and keeps the checkers\' anomalies', async () => {
    const dir = join(tmp, 'stale');
    await writeRunFolder(dir, staleReadHistory());
    const data = buildReportData(readRunFolder(dir));
    const n = data.calls.start.length;
    expect(n).toBe(44);
    const info = data.calls.type.indexOf(OUTCOMES.indexOf('info'));
    expect(data.strings[data.calls.error[info]!]).toBe('timeout');
    expect(data.faults).toHaveLength(1);
    expect(data.faults[0]!).toMatchObject({ kind: 'partition', start: 1_000_000, label: 'start-partition n1 | n2 n3' });
    expect(data.roles.filter((r) => r.role === 'leader').map((r) => r.node)).toEqual(['n1', 'n2']);
    expect(data.nemesisOps).toEqual([]);
    expect(data.results.find((r) => r.checker === 'consistency')!.anomalies.some((a) => a.kind === 'stale-read')).toBe(true);
    expect(data.logs.map((l) => l.file)).toEqual(['logs/n1.log', 'logs/n2.log']);
  });

  it('shows every coverage count of results.json, and an expectation short of a minimum says what was not exercised', async () => {
    const dir = join(tmp, 'coverage');
    await writeRunFolder(dir, staleReadHistory(), { checkers: [{ name: 'perf', options: {} }], expected: { verdict: 'valid', coverage: { leaderChanges: 1, restarts: 2 } } });
    const html = readFileSync(await writeRunReport(dir), 'utf8');
    const counts = [...html.matchAll(/<span data-count="(\w+)">(\d+) /g)].map((m) => [m[1], Number(m[2])]);
    expect(counts).toEqual([['leaderChanges', 1], ['terms', 2], ['electionsWithoutWinner', 0], ['restarts', 0], ['rejoinsAfterBehind', 0], ['opsAcrossLeaderChange', expect.any(Number)]]);
    expect(html).toContain('NOT as expected</b> (crash recovery not exercised: 0 restart(s), expected &gt;= 2)');
    expect(html).not.toContain('election bugs not exercised');
  });

  it('renders a run that died early: no results.json, a torn last line', async () => {
    const dir = join(tmp, 'torn');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'history.jsonl'), '{"index":0,"time":5,"process":0,"type":"invoke","f":"read","key":"k1"}\n{"index":1,"time":9,"proc');
    const file = await writeRunReport(dir);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('1 line(s) of history.jsonl were not ops');
    expect(html).toContain('No checker results');
    const data = buildReportData(readRunFolder(dir));
    expect(data.calls.end).toEqual([-1]);
    expect(data.calls.type).toEqual([OUTCOMES.indexOf('pending')]);
  });

  it('trims a long witness prefix to its tail and says how much is left out', async () => {
    const dir = join(tmp, 'witness');
    const prefix = Array.from({ length: 500 }, (_, i) => ({ op: { invokeIndex: i, process: 0, description: `write ${i}` }, stateAfter: String(i) }));
    await writeRunFolder(dir, staleReadHistory(), {
      results: [{ checker: 'linearizable', valid: false, summary: 'no', anomalies: [], details: { witness: [{ longestPrefix: prefix, op: prefix[0]!.op, statesBefore: [], concurrent: [], explanation: '' }] } }],
    });
    const data = buildReportData(readRunFolder(dir));
    const w = (data.results[0]!.details!['witness'] as { longestPrefix: unknown[]; prefixOmitted: number }[])[0]!;
    expect(w.longestPrefix).toHaveLength(60);
    expect(w.prefixOmitted).toBe(440);
  });
});
