/** What the report script sets on the page for its tests (reports/*.test.ts read them). */
interface Window {
  /** Milliseconds the last drawing of every chart took, and per chart. */
  __lastDrawMs?: number;
  __drawTimes?: { timeline: number; latency: number; throughput: number };
  /** Milliseconds from the script's start to the first drawing. */
  __reportRenderMs?: number;
}
