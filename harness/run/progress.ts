/**
 * What a run tells the person watching it: on a terminal one live line (elapsed, ops/s,
 * ok/fail/info counts, active faults) with events printed above it; otherwise plain lines
 * (events, and the same figures every few seconds).
 */
import { createLogUpdate } from 'log-update';

export interface ProgressStats {
  elapsedMs: number;
  phase: string;
  ok: number;
  fail: number;
  info: number;
  faults: string[];
}

export interface Progress {
  /** A line that stays (a phase change, a fault, a warning). */
  event(line: string): void;
  /** Starts showing `stats()` until stop(). */
  start(stats: () => ProgressStats): void;
  stop(): void;
}

export function formatStats(s: ProgressStats, opsPerSec: number): string {
  const secs = (s.elapsedMs / 1000).toFixed(1);
  const faults = s.faults.length ? s.faults.join('; ') : 'none';
  return `[${s.phase}] ${secs}s  ${Math.round(opsPerSec)} ops/s  ok ${s.ok}  fail ${s.fail}  info ${s.info}  faults: ${faults}`;
}

/** Ops completed per second over the last interval. */
function rateTracker(): (s: ProgressStats) => number {
  let last = { at: 0, done: 0 };
  return (s) => {
    const done = s.ok + s.fail + s.info;
    const dt = s.elapsedMs - last.at;
    const rate = dt > 0 ? ((done - last.done) * 1000) / dt : 0;
    last = { at: s.elapsedMs, done };
    return rate;
  };
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, options: { plainEveryMs?: number; quiet?: boolean } = {}): Progress {
  if (options.quiet) return { event: () => undefined, start: () => undefined, stop: () => undefined };
  // A terminal that reports no size (some CI pseudo-terminals) gets plain lines: log-update needs one.
  const sized = (stream.columns ?? 0) > 0 && (stream.rows ?? 0) > 0;
  return stream.isTTY && sized ? ttyProgress(stream) : plainProgress(stream, options.plainEveryMs ?? 5000);
}

function ttyProgress(stream: NodeJS.WriteStream): Progress {
  const log = createLogUpdate(stream);
  let timer: NodeJS.Timeout | undefined;
  let render: (() => void) | undefined;
  return {
    event(line) {
      log.clear();
      stream.write(`${line}\n`);
      render?.();
    },
    start(stats) {
      const rate = rateTracker();
      let text = '';
      render = () => log(text);
      const tick = (): void => {
        const s = stats();
        text = formatStats(s, rate(s));
        log(text);
      };
      tick();
      timer = setInterval(tick, 250);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      render = undefined;
      log.clear();
      log.done();
    },
  };
}

function plainProgress(stream: NodeJS.WriteStream, everyMs: number): Progress {
  let timer: NodeJS.Timeout | undefined;
  return {
    event(line) {
      stream.write(`${line}\n`);
    },
    start(stats) {
      const rate = rateTracker();
      rate(stats());
      timer = setInterval(() => {
        const s = stats();
        stream.write(`${formatStats(s, rate(s))}\n`);
      }, everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
