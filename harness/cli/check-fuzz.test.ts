/**
 * Property: a run folder made of random bytes (campaign.yaml, history.jsonl, results.json) gets
 * a verdict or one error line from `faultline check`, and a report and an index row from the
 * report loader; nothing throws past them.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderRunReport } from '../../reports/index.js';
import { listRuns } from '../../reports/runs.js';
import { renderIndex } from '../../reports/serve.js';
import { runCheck } from './check.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-check-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const YAML_PIECES = ['system: raft\n', 'system: ', 'nodes: ', '3', '-1', 'workload: register\n', 'workload: {name: register}\n', 'checkers:\n', '  - linearizable\n',
  '  - {name: linearizable, options: {model: kv}}\n', 'time_limit: 1s\n', '[', ']', '{', '}', ':', ' ', '\n', '\t', '&a ', '*a', '!!binary ', '"', "'", '#', '\u0000', 'nemesis: ', '~'];
const JSON_PIECES = ['{', '}', '[', ']', '"valid"', '"results"', '"campaign"', '"startedAt"', ':', ',', 'true', '"unknown"', '5', '"x"', 'null', '9007199254740993',
  '{"checker":"c","valid":true,"summary":"s","anomalies":[]}', '\n', '\u0000'];
const HISTORY_LINES = ['{"index":0,"time":0,"process":0,"type":"invoke","f":"read"}', '{"index":1,"time":1,"process":0,"type":"ok","f":"read","value":1}',
  '{"process":"nemesis","type":"info","f":"kill"}', '{"index":', 'garbage', '[[[[', '', '\u0000', '{"process":0,"type":"ok","f":"write","value":9007199254740993}'];

const bytesOr = (pieces: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
    fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join('')),
  );

describe('a run folder of random bytes', () => {
  let out: string[] = [];
  beforeEach(() => {
    out = [];
    const capture = (chunk: string | Uint8Array): boolean => {
      out.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => vi.restoreAllMocks());

  it('check gives a verdict or one error line; the report and the index render', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(bytesOr(YAML_PIECES), fc.array(fc.constantFrom(...HISTORY_LINES), { maxLength: 8 }).map((l) => l.join('\n')), bytesOr(JSON_PIECES), async (yaml, history, results) => {
        const dir = join(tmp, `run-${n++}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'campaign.yaml'), yaml);
        writeFileSync(join(dir, 'history.jsonl'), history);
        writeFileSync(join(dir, 'results.json'), results);
        out = [];
        const code = await runCheck([dir], { json: true });
        expect([0, 1, 2, 3]).toContain(code);
        if (code === 3) {
          const errors = out.filter((o) => o.startsWith('faultline: '));
          expect(errors).toHaveLength(1);
          expect(errors[0]!.trimEnd()).not.toContain('\n');
          expect(errors[0]).not.toMatch(/internal error|\n\s+at /);
        }
        expect(renderRunReport(dir)).toContain('<!doctype html>');
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 120 },
    );
  });

  it('the index lists every folder, whatever its results.json', () => {
    fc.assert(
      fc.property(fc.array(bytesOr(JSON_PIECES), { minLength: 1, maxLength: 5 }), (files) => {
        const root = join(tmp, `index-${n2++}`);
        files.forEach((text, i) => {
          mkdirSync(join(root, `r${i}`), { recursive: true });
          writeFileSync(join(root, `r${i}`, 'results.json'), text);
        });
        const runs = listRuns(root);
        expect(runs).toHaveLength(files.length);
        expect(renderIndex(root, runs)).toContain('<table id="runs">');
        rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 100 },
    );
  });
});
let n2 = 0;
