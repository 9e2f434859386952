/** Every shipped checker copes with a history whose values are integers beyond 2^53 (bigints). */
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../core/history.js';
import { stringifyJson } from '../core/json.js';
import { checkers } from './index.js';

const BIG = '9007199254740993';
const lines = [
  `{"index":0,"time":0,"process":0,"type":"invoke","f":"write","key":"k","value":${BIG}}`,
  `{"index":1,"time":1000,"process":0,"type":"ok","f":"write","key":"k","value":${BIG}}`,
  `{"index":2,"time":2000,"process":1,"type":"invoke","f":"read","key":"k"}`,
  `{"index":3,"time":3000,"process":1,"type":"ok","f":"read","key":"k","value":9007199254740992}`,
  `{"index":4,"time":4000,"process":2,"type":"invoke","f":"enqueue","value":{"taskId":${BIG},"payload":"p"}}`,
  `{"index":5,"time":5000,"process":2,"type":"ok","f":"enqueue","value":{"taskId":${BIG},"payload":"p"}}`,
  `{"index":6,"time":6000,"process":3,"type":"invoke","f":"publish","value":{"room":"r","id":${BIG}}}`,
  `{"index":7,"time":7000,"process":3,"type":"ok","f":"publish","value":{"room":"r","id":${BIG}}}`,
  `{"index":8,"time":8000,"process":4,"type":"invoke","f":"add","value":${BIG}}`,
  `{"index":9,"time":9000,"process":4,"type":"ok","f":"add","value":${BIG}}`,
].join('\n');

describe('integers beyond 2^53 in a history', () => {
  const history = parseHistory(lines).ops;
  it('are read exactly', () => {
    expect(history[1]!.value).toBe(9007199254740993n);
    expect(history[3]!.value).toBe(9007199254740992n);
  });

  for (const [name, checker] of Object.entries(checkers)) {
    it(`${name}: a verdict that serialises, never a throw`, async () => {
      const result = await checker.check(history, {});
      expect([true, false, 'unknown']).toContain(result.valid);
      expect(() => stringifyJson(result)).not.toThrow();
    });
  }

  it('linearizable tells 2^53+1 from 2^53', async () => {
    const result = await checkers['linearizable']!.check(history.filter((o) => o.index <= 3), { model: 'register' });
    expect(result.valid).toBe(false);
  });
});
