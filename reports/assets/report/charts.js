// @ts-check
/** The latency chart (every call, log scale, ok points straight into the pixel buffer) and the
 * throughput chart (completions per second by outcome). */
var lat = { canvas: canvas$('latency'), h: 280 };
var latRange = (function () {
  var min = Infinity, max = 0;
  for (var i = 0; i < N; i++) {
    if (C.end[i] < 0) continue;
    var d = C.end[i] - C.start[i];
    if (d > 0 && d < min) min = d;
    if (d > max) max = d;
  }
  if (!isFinite(min)) { min = 100; max = 1e6; }
  min = Math.max(10, min); max = Math.max(max, min * 10);
  return { lmin: Math.log10(min) - 0.05, lmax: Math.log10(max) + 0.05 };
})();
var LAT_TOP = 8, LAT_BOTTOM = 24;
/** The y of a latency `d` (µs) on a chart `h` high. @param {number} d @param {number} h */
function latY(d, h) { var v = Math.log10(Math.max(10, d)); return LAT_TOP + (1 - (v - latRange.lmin) / (latRange.lmax - latRange.lmin)) * (h - LAT_TOP - LAT_BOTTOM); }
/** A #rrggbb colour as one little-endian RGBA pixel, mixed with white by `white` (0..1). @param {string} hex @param {number} white */
function packColor(hex, white) {
  var n = parseInt(hex.slice(1), 16), r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
  r = Math.round(r + (255 - r) * white); g = Math.round(g + (255 - g) * white); b = Math.round(b + (255 - b) * white);
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}
function drawLatency() {
  var g = setupCanvas(lat.canvas, lat.h, true), ctx = g.ctx, w = g.w, h = g.h;
  ctx.clearRect(0, 0, w, h);
  shadeFaults(ctx, w, LAT_TOP, h - LAT_BOTTOM);
  drawTimeAxis(ctx, w, h - 10, LAT_TOP, h - LAT_BOTTOM);
  ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (var p = Math.ceil(latRange.lmin); p <= latRange.lmax; p++) {
    var y = latY(Math.pow(10, p), h);
    ctx.fillStyle = 'rgba(0,0,0,0.07)'; ctx.fillRect(LEFT, Math.round(y), plotW(w), 1);
    ctx.fillStyle = '#656d76'; ctx.fillText(fmtMs(Math.pow(10, p)), LEFT - 6, y);
  }
  ctx.save(); ctx.translate(14, (h - LAT_BOTTOM) / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center'; ctx.fillText('latency (log)', 0, 0); ctx.restore();
  // ok points go straight into the pixel buffer (fast for 100k points); fail and info
  // markers, far fewer, are drawn as paths on top.
  var W = lat.canvas.width, H = lat.canvas.height, dpr = W / w;
  var img = ctx.getImageData(0, 0, W, H), buf = new Uint32Array(img.data.buffer);
  var x0 = Math.ceil(LEFT * dpr), x1 = Math.floor((w - RIGHT) * dpr), y1 = Math.floor((h - LAT_BOTTOM) * dpr);
  var size = Math.max(2, Math.round(3 * dpr)), half = size >> 1;
  /** @type {Record<string, number>} */
  var packed = {};
  /** @type {Record<string, number>} */
  var packedDim = {};
  Object.keys(fColor).forEach(function (f) { packed[f] = packColor(fColor[f], 0.1); packedDim[f] = packColor(fColor[f], 0.8); });
  var drawn = 0;
  /** @type {[number, number][]} */
  var his = [];
  /** @type {number[]} call, x, y of each fail and info mark */
  var marks = [];
  for (var i = 0; i < N; i++) {
    if (C.end[i] < 0 || C.start[i] > view.t1 || C.start[i] < view.t0 || hiddenF[C.f[i]]) continue;
    var x = xOf(C.start[i], w), yy = latY(C.end[i] - C.start[i], h);
    drawn++;
    if ((highlight && highlight[i]) || i === selected) his.push([x, yy]);
    if (C.type[i] !== 0) { marks.push(i, x, yy); continue; }
    var col = highlight && !highlight[i] ? packedDim[C.f[i]] : packed[C.f[i]];
    var px = Math.round(x * dpr) - half, py = Math.round(yy * dpr) - half;
    for (var dy = 0; dy < size; dy++) {
      var row = py + dy;
      if (row < 0 || row >= y1) continue;
      for (var dx = 0; dx < size; dx++) {
        var cx = px + dx;
        if (cx >= x0 && cx < x1) buf[row * W + cx] = col;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  clipPlot(ctx, w, h);
  ctx.lineWidth = 1.2;
  for (var m = 0; m < marks.length; m += 3) {
    var c = marks[m], mx = marks[m + 1], my = marks[m + 2];
    ctx.globalAlpha = highlight && !highlight[c] ? 0.18 : 0.9;
    if (C.type[c] === 1) { ctx.strokeStyle = OUT_COLOR[1]; ctx.beginPath(); ctx.moveTo(mx - 3, my - 3); ctx.lineTo(mx + 3, my + 3); ctx.moveTo(mx + 3, my - 3); ctx.lineTo(mx - 3, my + 3); ctx.stroke(); }
    else { ctx.strokeStyle = OUT_COLOR[2]; ctx.strokeRect(mx - 2.5, my - 2.5, 5, 5); }
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = '#111'; ctx.lineWidth = 2;
  his.forEach(function (p) { ctx.beginPath(); ctx.arc(p[0], p[1], 6, 0, Math.PI * 2); ctx.stroke(); });
  ctx.restore();
  lat.canvas.dataset.drawn = String(drawn);
}
/** The call nearest (x, y) on the latency chart. @param {number} x @param {number} y @returns {Hit | null} */
function latencyHit(x, y) {
  var w = lat.canvas.clientWidth, h = lat.h, best = -1, bestD = 36;
  for (var i = 0; i < N; i++) {
    if (C.end[i] < 0 || C.start[i] > view.t1 || C.start[i] < view.t0 || hiddenF[C.f[i]]) continue;
    var dx = xOf(C.start[i], w) - x, dy = latY(C.end[i] - C.start[i], h) - y, d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best >= 0 ? { call: best } : null;
}

var thr = { canvas: canvas$('throughput'), h: 170 };
function drawThroughput() {
  var g = setupCanvas(thr.canvas, thr.h), ctx = g.ctx, w = g.w, h = g.h, top = 8, bottom = 24;
  ctx.clearRect(0, 0, w, h);
  var pw = plotW(w), span = view.t1 - view.t0, n = Math.max(1, Math.min(Math.floor(pw / 8), 150, Math.ceil(span / 50000))), bw = span / n;
  var counts = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (var i = 0; i < N; i++) {
    var e = C.end[i], t = C.type[i];
    if (e < view.t0 || e >= view.t1 || t > 2) continue;
    counts[t][Math.min(n - 1, Math.floor((e - view.t0) / bw))]++;
  }
  var perSec = 1e6 / bw, max = 1;
  for (var b = 0; b < n; b++) max = Math.max(max, (counts[0][b] + counts[1][b] + counts[2][b]) * perSec);
  var step = niceStep(max, 4), ymax = Math.ceil(max / step) * step;
  /** @param {number} v */
  function yOf(v) { return top + (1 - v / ymax) * (h - top - bottom); }
  shadeFaults(ctx, w, top, h - bottom);
  drawTimeAxis(ctx, w, h - 10, top, h - bottom);
  ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (var v = 0; v <= ymax; v += step) {
    ctx.fillStyle = 'rgba(0,0,0,0.07)'; ctx.fillRect(LEFT, Math.round(yOf(v)), pw, 1);
    ctx.fillStyle = '#656d76'; ctx.fillText(String(Math.round(v)), LEFT - 6, yOf(v));
  }
  ctx.save(); ctx.translate(14, (h - bottom) / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center'; ctx.fillText('ops/s', 0, 0); ctx.restore();
  for (b = 0; b < n; b++) {
    var x = LEFT + (b / n) * pw, base = 0;
    for (t = 0; t < 3; t++) {
      var val = counts[t][b] * perSec;
      if (!val) continue;
      ctx.fillStyle = OUT_COLOR[t];
      ctx.fillRect(x, yOf(base + val), Math.max(1, pw / n - 1), yOf(base) - yOf(base + val));
      base += val;
    }
  }
  thr.canvas.dataset.drawn = String(n);
}
