import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `faultline check` fed hostile and careless input, as users run it (on the compiled dist/). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/faultline.js');

function faultline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

let dir = '';
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const json = (o: Record<string, unknown>): string => JSON.stringify(o);
const NO_STACK = /\n\s+at |internal error/;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/harness/cli/check.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
  dir = mkdtempSync(join(tmpdir(), 'faultline-check-input-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('faultline check: exact numbers', () => {
  it('a write of 2^53+1 and a read of 2^53 is not linearizable, in jsonl, edn and Jepsen logs', async () => {
    const j = file('big.jsonl', ['{"index":0,"time":0,"process":0,"type":"invoke","f":"write","key":"k","value":9007199254740993}',
      '{"index":1,"time":1,"process":0,"type":"ok","f":"write","key":"k","value":9007199254740993}',
      '{"index":2,"time":2,"process":1,"type":"invoke","f":"read","key":"k","value":null}',
      '{"index":3,"time":3,"process":1,"type":"ok","f":"read","key":"k","value":9007199254740992}'].join('\n'));
    const e = file('big.edn', '[{:process 0 :type :invoke :f :write :value 9007199254740993}\n {:process 0 :type :ok :f :write :value 9007199254740993}\n {:process 1 :type :invoke :f :read :value nil}\n {:process 1 :type :ok :f :read :value 9007199254740992}]\n');
    const l = file('big.log', 'INFO jepsen.util - 0 :invoke :write 9007199254740993\nINFO jepsen.util - 0 :ok :write 9007199254740993\nINFO jepsen.util - 1 :invoke :read nil\nINFO jepsen.util - 1 :ok :read 9007199254740992\n');
    const r = await faultline('check', '--json', j, e, l);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((x) => (JSON.parse(x) as { valid: unknown }).valid)).toEqual([false, false, false]);
    // the witness keeps the digits
    expect(lines[0]).toContain('9007199254740993');
    expect(lines[0]).toContain('read[k] -> 9007199254740992');
    const human = await faultline('check', '--initial', '9007199254740993', file('read.jsonl', '{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"ok","f":"read","value":9007199254740993}\n'));
    expect(human.code).toBe(0);
  });
});

describe('faultline check: hostile input is one line with file and line, exit 3', () => {
  it('deep nesting, #inst, unbalanced brackets, a bad Jepsen value, binary data, /dev/zero', async () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    const cases: [string, RegExp][] = [
      [file('deep.edn', `[{:process 0 :type :invoke :f :write :value ${deep(100_000)}}]`), /deep\.edn:1: values nest deeper than 1000 levels/],
      [file('deep.jsonl', `{"process":0,"type":"invoke","f":"write","value":${deep(100_000)}}`), /deep\.jsonl:1: values nest deeper than 1000 levels/],
      [file('inst.edn', '[{:process 0 :type :invoke :f :write :value nil}\n {:process 0 :type :ok :f :write :value #inst "garbage"}]'), /inst\.edn:2: malformed EDN: #inst needs/],
      [file('tag.edn', '[{:process 0 :type :invoke :f :write :value #?(:clj 1)}]'), /tag\.edn:1: malformed EDN: "#\?" is not a tag/],
      [file('unbalanced.edn', '[{:process 0 :type :invoke :f :read}]\n]\n'), /unbalanced\.edn:2: malformed EDN: unbalanced "\]"/],
      [file('mismatched.edn', '[{:process 0 :type :invoke :f :read :value nil)]'), /mismatched\.edn:1: malformed EDN: unbalanced "\)" closes "\{"/],
      [file('value.log', 'INFO jepsen.util - 0 :invoke :write 1\nINFO jepsen.util - 0 :ok :write {:a\n'), /value\.log:2: the value "\{:a" is not one EDN value/],
      [file('binary.jsonl', `${json({ process: 0, type: 'invoke', f: 'read' })}\n\u0000\u0001\u0002`), /binary\.jsonl:2: binary data/],
    ];
    if (existsSync('/dev/zero')) cases.push(['/dev/zero', /\/dev\/zero:1: binary data/]);
    for (const [path, message] of cases) {
      const r = await faultline('check', path);
      expect(r.code, path).toBe(3);
      expect(r.stderr, path).toMatch(message);
      expect(r.stderr.trim().split('\n'), path).toHaveLength(1);
      expect(r.stderr, path).not.toMatch(NO_STACK);
    }
  });

  it('a run folder with a malformed campaign.yaml is one line with its file and line', async () => {
    const run = join(dir, 'run-bad-yaml');
    mkdirSync(run);
    writeFileSync(join(run, 'history.jsonl'), `${json({ index: 0, time: 0, process: 0, type: 'invoke', f: 'read' })}\n`);
    writeFileSync(join(run, 'campaign.yaml'), 'system: raft\nnodes: [3\nworkload: register\n');
    const r = await faultline('check', run);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/run-bad-yaml\/campaign\.yaml:\d+: YAML syntax error/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(NO_STACK);
    writeFileSync(join(run, 'campaign.yaml'), 'system: raft\nnodes: many\n');
    const typed = await faultline('check', run);
    expect(typed.code).toBe(3);
    expect(typed.stderr).toMatch(/campaign\.yaml:\d+: not a valid campaign/);
    expect(typed.stderr).not.toMatch(NO_STACK);
  });
});

describe('faultline check: a batch', () => {
  it('each file gets its own verdict or error line, in order, also with --json; exit by precedence', async () => {
    const good = file('b-good.jsonl', `${json({ process: 0, type: 'invoke', f: 'write', value: 1 })}\n${json({ process: 0, type: 'ok', f: 'write', value: 1 })}\n`);
    const bad = file('b-bad.jsonl', `${json({ process: 0, type: 'invoke', f: 'write', value: 1 })}\n${json({ process: 0, type: 'ok', f: 'write', value: 1 })}\n${json({ process: 1, type: 'invoke', f: 'read' })}\n${json({ process: 1, type: 'ok', f: 'read', value: 2 })}\n`);
    const broken = file('b-broken.edn', '[{:process 0 :type :invoke :f :read :value #inst "x"}]');
    const run = join(dir, 'b-run');
    mkdirSync(run);
    writeFileSync(join(run, 'history.jsonl'), '');
    writeFileSync(join(run, 'campaign.yaml'), ': : :\n  - [');
    const missing = join(dir, 'b-missing.jsonl');
    const files = [good, broken, run, missing, bad];
    const r = await faultline('check', '--json', ...files);
    expect(r.code).toBe(3); // bad input outranks "not linearizable"
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; valid?: unknown; error?: string });
    expect(lines.map((l) => l.file)).toEqual(files);
    expect(lines.map((l) => l.valid ?? 'error')).toEqual([true, 'error', 'error', 'error', false]);
    expect(r.stderr.trim().split('\n')).toHaveLength(3);
    expect(r.stderr).not.toMatch(NO_STACK);
    const human = await faultline('check', good, broken, bad);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/b-good\.jsonl: linearizable[\s\S]*b-bad\.jsonl: NOT linearizable/);
    expect(human.stderr).toMatch(/b-broken\.edn:1: malformed EDN/);
    const noError = await faultline('check', good, bad);
    expect(noError.code).toBe(1);
  });
});

describe('faultline check: terminal output', () => {
  it('control characters and bidi overrides from a history print as visible escapes', async () => {
    const key = 'k\u001b[31m\u202eevil\r';
    const h = file('escapes.jsonl', [
      json({ process: 0, type: 'invoke', f: 'write', key, value: 'x\u001b]0;title\u0007' }),
      json({ process: 0, type: 'ok', f: 'write', key, value: 'x\u001b]0;title\u0007' }),
      json({ process: 1, type: 'invoke', f: 'read', key }),
      json({ process: 1, type: 'ok', f: 'read', key, value: 'y' }),
    ].join('\n'));
    const r = await faultline('check', h);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('\\x1b[31m\\u202eevil');
    const named = file('name\u001b[2J.jsonl', 'garbage\n');
    const e = await faultline('check', named);
    expect(e.stderr).toContain('name\\x1b[2J.jsonl');
    expect(e.stderr).not.toContain('\u001b');
  });
});

describe('faultline check <run folder>: terminal output', () => {
  it('the folder name and the replay line from results.json print as visible escapes', async () => {
    const { writeRunFolder, staleReadHistory } = await import('../../reports/testing/fixtures.js');
    const run = join(dir, 'run\u001b[2J');
    await writeRunFolder(run, staleReadHistory());
    const results = JSON.parse((await import('node:fs')).readFileSync(join(run, 'results.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(run, 'results.json'), JSON.stringify({ ...results, replay: 'npx faultline run x\u001b]0;pwned\u0007\u202e' }));
    const r = await faultline('check', run);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('run\\x1b[2J:');
    expect(r.stdout).toContain('replay: npx faultline run x\\x1b]0;pwned\\x07\\u202e');
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
  });
});
