import { describe, expect, it } from 'vitest';
import { createProgress, formatStats } from './progress.js';

function fakeStream(tty: boolean): NodeJS.WriteStream & { text: () => string } {
  let out = '';
  const stream = { isTTY: tty, columns: tty ? 120 : undefined, rows: tty ? 40 : undefined, write: (s: string) => ((out += s), true), text: () => out };
  return stream as unknown as NodeJS.WriteStream & { text: () => string };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress', () => {
  it('formats elapsed, ops/s, counts and faults', () => {
    expect(formatStats({ elapsedMs: 12_345, phase: 'main', ok: 10, fail: 2, info: 1, faults: ['kill n1'] }, 812.4)).toBe(
      '[main] 12.3s  812 ops/s  ok 10  fail 2  info 1  faults: kill n1',
    );
  });

  it('redraws one live line on a terminal, with events above it', async () => {
    const stream = fakeStream(true);
    const p = createProgress(stream);
    let ok = 0;
    p.start(() => ({ elapsedMs: 100, phase: 'main', ok: ++ok, fail: 0, info: 0, faults: [] }));
    p.event('nemesis: kill n1');
    await wait(300);
    p.stop();
    const text = stream.text();
    expect(text).toContain('nemesis: kill n1\n');
    expect(text).toMatch(/\[main\] 0\.1s .* ok \d+/);
    expect(text).toContain('\u001b[2K'); // the line is erased and redrawn
  });

  it('writes plain lines when not on a terminal', async () => {
    const stream = fakeStream(false);
    const p = createProgress(stream, { plainEveryMs: 50 });
    p.start(() => ({ elapsedMs: 100, phase: 'final', ok: 1, fail: 0, info: 0, faults: [] }));
    p.event('final phase (healed)');
    await wait(130);
    p.stop();
    const text = stream.text();
    expect(text).not.toContain('\u001b[');
    expect(text.split('\n').filter((l) => l.startsWith('[final]')).length).toBeGreaterThanOrEqual(1);
    expect(text).toContain('final phase (healed)\n');
  });
});
