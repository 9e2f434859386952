// @ts-check
/** Canvases and the time axis every chart shares: the zoomed window (view.t0 .. view.t1) to x and back,
 * the ticks, fault windows shaded behind a chart. */
/**
 * Sizes a canvas to its box and the device's pixels; its 2D context draws in CSS pixels.
 * @param {HTMLCanvasElement} canvas
 * @param {number} height
 * @param {boolean} [readBack] the drawing reads pixels back (the latency chart)
 * @returns {{ctx: CanvasRenderingContext2D, w: number, h: number}}
 */
function setupCanvas(canvas, height, readBack) {
  var dpr = window.devicePixelRatio || 1;
  var w = canvas.parentElement ? canvas.parentElement.clientWidth : canvas.clientWidth;
  canvas.style.height = height + 'px';
  canvas.width = Math.max(1, Math.floor(w * dpr));
  canvas.height = Math.floor(height * dpr);
  var ctx = canvas.getContext('2d', readBack ? { willReadFrequently: true } : undefined);
  if (!ctx) throw new Error('faultline report: no 2D canvas');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx: ctx, w: w, h: height };
}
/** @param {number} w */
function plotW(w) { return Math.max(10, w - LEFT - RIGHT); }
/** Time (µs) to x on a chart w wide. @param {number} t @param {number} w */
function xOf(t, w) { return LEFT + ((t - view.t0) / (view.t1 - view.t0)) * plotW(w); }
/** x to time (µs). @param {number} x @param {number} w */
function tOf(x, w) { return view.t0 + ((x - LEFT) / plotW(w)) * (view.t1 - view.t0); }
/** A round step (1, 2, 5 × 10^k) for about `target` ticks over `span`. @param {number} span @param {number} target */
function niceStep(span, target) {
  var raw = span / target, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}
/** The time axis at `y`, with grid lines from gridTop to gridBottom.
 * @param {CanvasRenderingContext2D} ctx @param {number} w @param {number} y @param {number} gridTop @param {number} gridBottom */
function drawTimeAxis(ctx, w, y, gridTop, gridBottom) {
  var span = view.t1 - view.t0;
  var step = niceStep(span, Math.max(2, plotW(w) / 110));
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (var t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
    var x = xOf(t, w);
    ctx.fillStyle = 'rgba(0,0,0,0.06)';
    ctx.fillRect(Math.round(x), gridTop, 1, gridBottom - gridTop);
    ctx.fillStyle = '#656d76';
    var label = step >= 1e6 ? (t / 1e6).toFixed(0) + 's' : step >= 1e5 ? (t / 1e6).toFixed(1) + 's' : step >= 1e4 ? (t / 1e6).toFixed(2) + 's' : (t / 1e6).toFixed(3) + 's';
    ctx.fillText(label, x, y);
  }
}
/** Every fault window shaded from top to bottom. @param {CanvasRenderingContext2D} ctx @param {number} w @param {number} top @param {number} bottom */
function shadeFaults(ctx, w, top, bottom) {
  D.faults.forEach(function (f) {
    var x0 = Math.max(LEFT, xOf(f.start, w)), x1 = Math.min(w - RIGHT, xOf(f.end === null ? END : f.end, w));
    if (x1 < LEFT || x0 > w - RIGHT) return;
    ctx.fillStyle = faultFill(f.kind);
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), bottom - top);
  });
}
/** Clips drawing to the plot area (restore after). @param {CanvasRenderingContext2D} ctx @param {number} w @param {number} h */
function clipPlot(ctx, w, h) { ctx.save(); ctx.beginPath(); ctx.rect(LEFT, 0, plotW(w), h); ctx.clip(); }
