/**
 * `faultline run --junit FILE`: the verdicts of a run as JUnit XML, for CI dashboards. One
 * <testsuite> per run (named for the campaign) with one <testcase> per checker and one for the
 * campaign's expectation:
 * - a checker's case fails when it found anomalies in a campaign expected valid (or without an
 *   expectation); in a bug campaign (expected invalid) its anomalies are what was wanted;
 *   an `unknown` verdict is <skipped>;
 * - the `expectation` case fails when the run is not as the campaign expects (a correct system
 *   showed an anomaly, or a bug campaign stopped finding its bug), and is an <error> when the run
 *   was interrupted or the harness failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunResults } from './check.js';
import { describeExpected, judgeExpectation } from '../../core/expectation.js';
import { verdictWord } from './verdict.js';

export function junitXml(results: RunResults, exitCode: number): string {
  const suite = results.campaign;
  const seconds = (results.durationMs / 1000).toFixed(3);
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const expectsBug = results.expected?.verdict === 'invalid';
  for (const r of results.results) {
    const name = `checker ${r.checker}`;
    let body = '';
    if (r.valid === false && !expectsBug) {
      failures++;
      const detail = r.anomalies.map((a) => `${a.kind}: ${a.explanation}`).join('\n');
      body = `<failure type="anomaly" message="${attr(r.summary)}">${text(detail || r.summary)}</failure>`;
    } else if (r.valid === 'unknown') {
      skipped++;
      body = `<skipped message="${attr(`unknown: ${r.summary}`)}"/>`;
    }
    const out = `<system-out>${text(`${verdictWord(r.valid)}: ${r.summary}`)}</system-out>`;
    cases.push(`    <testcase classname="${attr(suite)}" name="${attr(name)}" time="0">${body}${out}</testcase>`);
  }

  let body = '';
  const wanted = results.expected ? describeExpected(results.expected) : 'valid';
  const judged = results.expected ? judgeExpectation(results.results, results.valid, results.expected, results.coverage) : { met: results.valid === true, shortfalls: [] };
  const met = judged.met;
  const short = judged.shortfalls;
  if (results.interrupted !== undefined || exitCode === 3) {
    errors++;
    body = `<error type="interrupted" message="${attr(results.interrupted ?? 'harness error')}"/>`;
  } else if (!met) {
    failures++;
    const why = expectsBug
      ? `the bug campaign did not find its bug: expected ${wanted}, got ${verdictWord(results.valid)}`
      : `expected ${wanted}, got ${verdictWord(results.valid)}${short.length ? ` (${short.join('; ')})` : ''}`;
    body = `<failure type="expectation" message="${attr(why)}">${text(`${why}\nreplay: ${results.replay}`)}</failure>`;
  }
  cases.push(`    <testcase classname="${attr(suite)}" name="expectation: ${attr(wanted)}" time="${seconds}">${body}</testcase>`);

  const props = [
    ['system', results.system],
    ['seed', String(results.seed)],
    ['runId', results.runId],
    ['verdict', verdictWord(results.valid)],
    ['replay', results.replay],
  ]
    .map(([k, v]) => `      <property name="${k}" value="${attr(v!)}"/>`)
    .join('\n');
  const total = cases.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds}">`,
    `  <testsuite name="${attr(suite)}" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds}" timestamp="${attr(results.startedAt)}">`,
    `    <properties>\n${props}\n    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJunit(file: string, results: RunResults, exitCode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, junitXml(results, exitCode));
}

/** A run that never started (bad cluster, no engine...): one testcase with the error. */
export function junitErrorXml(campaign: string, message: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="faultline" tests="1" failures="0" errors="1" skipped="0" time="0">',
    `  <testsuite name="${attr(campaign)}" tests="1" failures="0" errors="1" skipped="0" time="0">`,
    `    <testcase classname="${attr(campaign)}" name="run" time="0"><error type="harness" message="${attr(message)}"/></testcase>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJunitError(file: string, campaign: string, message: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, junitErrorXml(campaign, message));
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}

/** Characters XML 1.0 cannot carry. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}
