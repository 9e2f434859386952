import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, ParseError, parseEdn, parseHistory, parseJepsenLog, parseJsonl, readHistoryFile } from './index.js';

function parseErrorOf(f: () => unknown): ParseError {
  try {
    f();
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error('expected a ParseError');
}

describe('jsonl (faultline history.jsonl)', () => {
  it('reads ops with their index, keys and values, and the line of each', () => {
    const text = [
      '{"index":0,"time":10,"process":0,"type":"invoke","f":"write","key":"k1","value":5}',
      '',
      '{"index":1,"time":11,"process":"nemesis","type":"info","f":"kill","value":{"nodes":["n1"]}}',
      '{"index":2,"time":20,"process":0,"type":"ok","f":"write","key":"k1","value":5,"node":"n2"}',
    ].join('\n');
    const h = parseJsonl(text);
    expect(h.ops.map((o) => o.index)).toEqual([0, 1, 2]);
    expect(h.lines).toEqual([1, 3, 4]);
    expect(h.ops[0]).toEqual({ index: 0, time: 10, process: 0, type: 'invoke', f: 'write', key: 'k1', value: 5 });
    expect(h.ops[1]!.process).toBe('nemesis');
    expect(h.ops[2]!.node).toBe('n2');
  });

  it('names the line of a malformed op', () => {
    const good = '{"index":0,"time":0,"process":0,"type":"invoke","f":"read"}';
    expect(parseErrorOf(() => parseJsonl(`${good}\n{"index":1,"process":0,"type":"ok"`)).line).toBe(2);
    const e = parseErrorOf(() => parseJsonl(`${good}\n${good}\n{"index":2,"process":0,"type":"done","f":"read"}`));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/type must be one of/);
    expect(parseErrorOf(() => parseJsonl('{"process":0,"type":"ok"}')).message).toMatch(/"f"/);
    expect(parseErrorOf(() => parseJsonl('[1,2]')).message).toMatch(/JSON object/);
    expect(parseErrorOf(() => parseJsonl('{"process":"c1","type":"ok","f":"read"}')).message).toMatch(/process must be/);
  });
});

describe('edn (Jepsen/knossos)', () => {
  it('reads a vector of maps spread over lines, with comments, and keeps each op\'s first line', () => {
    const text = [
      '; a comment',
      '[{:process 0, :type :invoke, :f :write, :value 1}',
      ' {:process 0,',
      '  :type :ok, :f :write, :value 1}',
      ' {:process :nemesis, :type :info, :f :start, :value nil}',
      ' {:process 1, :type :invoke, :f :cas, :value [1 2]} {:process 1, :type :fail, :f :cas, :value [1 2], :error [:timeout nil]}',
      ']',
    ].join('\n');
    const h = parseEdn(text);
    expect(h.ops.map((o) => [o.process, o.type, o.f, o.value])).toEqual([
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      ['nemesis', 'info', 'start', null],
      [1, 'invoke', 'cas', [1, 2]],
      [1, 'fail', 'cas', [1, 2]],
    ]);
    expect(h.lines).toEqual([2, 3, 5, 6, 6]);
    expect(h.ops[4]!.error).toBe('["timeout",null]');
    expect(h.ops.map((o) => o.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('reads one map per line and a list, and string keys and values', () => {
    const lines = '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}\n{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}\n';
    const h = parseEdn(lines);
    expect(h.ops).toHaveLength(2);
    expect(h.ops[1]).toMatchObject({ key: '0', value: 'x 0 0 y', type: 'ok' });
    expect(h.lines).toEqual([1, 2]);
    const list = parseEdn('({:type :invoke, :f :read, :value nil, :process 0}\n {:type :ok, :f :read, :value 3, :process 0})');
    expect(list.ops.map((o) => o.value)).toEqual([null, 3]);
  });

  it('reads tagged op records (#jepsen.history.Op{...})', () => {
    const h = parseEdn('[#jepsen.history.Op{:index 0, :time 5, :type :invoke, :process 0, :f :write, :value 1}\n #jepsen.history.Op{:index 1, :time 9, :type :ok, :process 0, :f :write, :value 1}]');
    expect(h.ops.map((o) => [o.type, o.time, o.value])).toEqual([['invoke', 5, 1], ['ok', 9, 1]]);
  });

  it('an ok read of nil constrains nothing: it becomes an info completion', () => {
    const h = parseEdn('[{:process 0 :type :invoke :f :read :value nil} {:process 0 :type :ok :f :read :value nil}]');
    expect(h.ops[1]!.type).toBe('info');
  });

  it('names the line of a malformed form or op', () => {
    expect(parseErrorOf(() => parseEdn('[{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok\n')).message).toMatch(/not closed/);
    const e = parseErrorOf(() => parseEdn('[{:process 0 :type :invoke :f :read}\n 42\n]'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/op map/);
    expect(parseErrorOf(() => parseEdn('{:process 0 :type :invoke :f :read}\n{:process 0 :type :oops :f :read}')).line).toBe(2);
    expect(parseErrorOf(() => parseEdn('{:process 0 :type :invoke :f :read}\n]')).line).toBe(2);
    expect(parseErrorOf(() => parseEdn('{:process 0 :type :invoke :f :read :value "abc\\q"}')).message).toMatch(/malformed EDN/);
  });
});

describe('jepsen-log', () => {
  const log = [
    'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 1\t:invoke\t:cas\t[3 0]',
    '2014-07-01 12:00:00,000 INFO  jepsen.core - some other logger',
    'INFO  jepsen.util - 2\t:invoke\t:write\t4',
    'INFO  jepsen.util - 0\t:fail\t:read\t:timed-out',
    'INFO  jepsen.util - 1\t:fail\t:cas\t[3 0]',
    'INFO  jepsen.util - 2\t:info\t:write\t:timed-out',
    'INFO  jepsen.util - 3\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 3\t:ok\t:read\tnil',
    '',
  ].join('\n');

  it('reads op lines with their semantics: fail cas returned false, timed-out reads are indeterminate', () => {
    const h = parseJepsenLog(log);
    expect(h.ops.map((o) => [o.process, o.type, o.f, o.value])).toEqual([
      [0, 'invoke', 'read', null],
      [1, 'invoke', 'cas', [3, 0]],
      [2, 'invoke', 'write', 4],
      [0, 'info', 'read', null],
      [1, 'ok', 'cas', false],
      [2, 'info', 'write', 4],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', null],
    ]);
    expect(h.ops[3]!.error).toBe('timed-out');
    expect(h.lines).toEqual([1, 2, 4, 5, 6, 7, 8, 9]);
  });

  it('reads EDN values beyond the simple ones and names a bad line', () => {
    const h = parseJepsenLog('INFO jepsen.util - 0 :invoke :write {:a [1 "x"]}\nINFO jepsen.util - 0 :ok :write {:a [1 "x"]}');
    expect(h.ops[0]!.value).toEqual({ a: [1, 'x'] });
    const e = parseErrorOf(() => parseJepsenLog(`${log}garbage here\n`));
    expect(e.line).toBe(10);
    const newer = parseJepsenLog(
      '2018-02-02 11:08:20,112{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 1\t:invoke\t:read\tnil\n' +
        '2018-02-02 11:08:20,113{GMT}\tINFO\t[jepsen nemesis] jepsen.core: starting the nemesis\n' +
        '2018-02-02 11:08:20,114{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 1\t:ok\t:read\t3\n',
    );
    expect(newer.ops.map((o) => [o.process, o.type, o.value])).toEqual([[1, 'invoke', null], [1, 'ok', 3]]);
    expect(newer.lines).toEqual([1, 3]);
  });
});

describe('format detection', () => {
  it('tells the formats apart', () => {
    expect(detectFormat('{"index":0,"process":0,"type":"invoke","f":"read"}\n')).toBe('jsonl');
    expect(detectFormat('; comment\n[{:process 0, :type :invoke}]')).toBe('edn');
    expect(detectFormat('{:process 0, :type :invoke, :f :read}')).toBe('edn');
    expect(detectFormat('(\n{:type :invoke}')).toBe('edn');
    expect(detectFormat('\nINFO  jepsen.util - 0\t:invoke\t:read\tnil')).toBe('jepsen-log');
    expect(parseErrorOf(() => detectFormat('\n\n')).message).toMatch(/empty/);
    expect(parseErrorOf(() => detectFormat('hello world')).message).toMatch(/--format/);
    const preamble = Array.from({ length: 50 }, (_, i) => `2014-01-01 INFO jepsen.core - setting up ${i}`).join('\n');
    expect(detectFormat(`${preamble}\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\n`)).toBe('jepsen-log');
  });

  it('parseHistory uses the given format over the guess', () => {
    expect(parseHistory('{:process 0, :type :invoke, :f :read}').format).toBe('edn');
    expect(() => parseHistory('{:process 0, :type :invoke, :f :read}', 'jsonl')).toThrow(ParseError);
  });
});

describe('exact integers', () => {
  const above = 9007199254740993n; // 2^53 + 1: a double would round it to 2^53
  it('jsonl, edn and jepsen-log keep integers beyond 2^53 exact (bigint), safe ones as numbers', () => {
    const j = parseJsonl(`{"process":0,"type":"invoke","f":"write","value":9007199254740993}\n{"process":0,"type":"ok","f":"read","value":[9007199254740992, 7, -12345678901234567890]}`);
    expect(j.ops[0]!.value).toBe(above);
    expect(j.ops[1]!.value).toEqual([9007199254740992n, 7, -12345678901234567890n]);
    const e = parseEdn('[{:process 0 :type :invoke :f :write :value 9007199254740993}\n {:process 0 :type :ok :f :write :value 9007199254740993N :key 12}]');
    expect(e.ops.map((o) => o.value)).toEqual([above, above]);
    expect(e.ops[1]!.key).toBe('12');
    const l = parseJepsenLog('INFO jepsen.util - 0 :invoke :write 9007199254740993\nINFO jepsen.util - 0 :ok :cas [9007199254740993 1]');
    expect(l.ops.map((o) => o.value)).toEqual([above, [above, 1]]);
  });
});

describe('hostile input: a ParseError with a line, never another throw', () => {
  const deep = (open: string, close: string, n: number): string => open.repeat(n) + close.repeat(n);
  it('values nested 100 000 levels deep (EDN and JSON)', () => {
    const edn = parseErrorOf(() => parseEdn(`{:process 0 :type :invoke :f :write}\n{:process 0 :type :ok :f :write :value ${deep('[', ']', 100_000)}}`));
    expect(edn.line).toBe(2);
    expect(edn.message).toMatch(/nest deeper than 1000/);
    const json = parseErrorOf(() => parseJsonl(`{"process":0,"type":"invoke","f":"write","value":${deep('[', ']', 100_000)}}`));
    expect(json.message).toMatch(/nest deeper than 1000/);
    const inString = parseJsonl(`{"process":0,"type":"invoke","f":"write","value":"${'['.repeat(5000)}"}`);
    expect(inString.ops[0]!.value).toBe('['.repeat(5000));
    // as deep as allowed is fine
    expect(parseEdn(`{:process 0 :type :invoke :f :write :value ${deep('[', ']', 999)}}`).ops).toHaveLength(1);
  });

  it('invalid #inst and #uuid, unknown dispatch, bad escapes and numbers', () => {
    const op = (v: string): string => `[{:process 0 :type :invoke :f :write :value nil}\n {:process 0 :type :ok :f :write :value ${v}}]`;
    expect(parseErrorOf(() => parseEdn(op('#inst "garbage"')))).toMatchObject({ line: 2, message: expect.stringMatching(/#inst needs an RFC 3339 date/) });
    expect(parseErrorOf(() => parseEdn(op('#inst 12')))).toMatchObject({ line: 2 });
    expect(parseErrorOf(() => parseEdn(op('#uuid "x"'))).message).toMatch(/#uuid/);
    expect(parseErrorOf(() => parseEdn(op('#?(:clj 1)'))).message).toMatch(/not a tag/);
    expect(parseErrorOf(() => parseEdn(op('12abc'))).message).toMatch(/invalid number/);
    expect(parseErrorOf(() => parseEdn(op('"\\u12"'))).message).toMatch(/unicode escape/);
    expect(parseEdn(op('#inst "2014-07-01T12:00:00.000-00:00"')).ops[1]!.value).toBe('2014-07-01T12:00:00.000Z');
    expect(parseEdn(op('#my.ns/Rec {:a 1}')).ops[1]!.value).toEqual({ a: 1 });
    expect(parseEdn(op('#_ 5 #{1 2}')).ops[1]!.value).toEqual([1, 2]);
  });

  it('unbalanced or mismatched brackets name where', () => {
    expect(parseErrorOf(() => parseEdn('[{:process 0 :type :invoke :f :write :value 1)]'))).toMatchObject({ line: 1, message: expect.stringMatching(/"\)" closes "\{"/) });
    expect(parseErrorOf(() => parseEdn('[{:process 0 :type :invoke :f :read}]\n]'))).toMatchObject({ line: 2, message: expect.stringMatching(/unbalanced/) });
    expect(parseErrorOf(() => parseEdn('[{:process 0 :type :invoke :f :read}]\n{:process 0 :type :ok :f :read :value 1}')).message).toMatch(/more forms after/);
    expect(parseErrorOf(() => parseEdn('[{:process 0\n :type :invoke :f}]')).message).toMatch(/pairs/);
    expect(parseErrorOf(() => parseEdn('[{:process 0 :type :invoke :f :read :value "abc\n'))).toMatchObject({ line: 1, message: expect.stringMatching(/string is not closed/) });
  });

  it('a Jepsen log value that does not parse is an error with its line, never nil', () => {
    for (const value of ['{:a', '"abc', '[1 2', '1 2', '#inst "no"', ')']) {
      const e = parseErrorOf(() => parseJepsenLog(`INFO jepsen.util - 0 :invoke :read nil\nINFO jepsen.util - 0 :ok :read ${value}`));
      expect(e.line, value).toBe(2);
      expect(e.message, value).toMatch(/is not one EDN value/);
    }
  });

  it('binary data (a NUL byte) is refused at its line', () => {
    expect(parseErrorOf(() => parseHistory('{"process":0,"type":"invoke","f":"read"}\n\0\0\0')).line).toBe(2);
    expect(parseErrorOf(() => parseHistory('\0'.repeat(100))).message).toMatch(/binary data/);
  });
});

describe('readHistoryFile', () => {
  it('streams a file: the same history as parseHistory, in chunks across line breaks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-import-'));
    try {
      const ops = Array.from({ length: 30_000 }, (_, i) => ({ index: i, time: i, process: i % 3, type: i % 2 ? 'ok' : 'invoke', f: 'write', key: 'ké', value: i }));
      const text = ops.map((o) => JSON.stringify(o)).join('\r\n');
      const path = join(dir, 'h.jsonl');
      writeFileSync(path, `\ufeff${text}`);
      const streamed = readHistoryFile(path);
      expect(streamed.ops).toEqual(parseHistory(text).ops);
      expect(streamed.ops[29_999]!.key).toBe('ké');
      expect(streamed.lines[29_999]).toBe(30_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('/dev/zero is binary data at line 1, not an endless read', () => {
    if (!existsSync('/dev/zero')) return;
    expect(parseErrorOf(() => readHistoryFile('/dev/zero')).message).toMatch(/binary data/);
  });
});
