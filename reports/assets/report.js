/* faultline report: draws the run from the JSON in #report-data. Every value that came from a
 * system or a history is put on the page with textContent or drawn on a canvas, never as HTML. */
(function () {
  'use strict';
  var started = performance.now();
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var C = D.calls;
  var S = D.strings;
  var N = C.start.length;
  var OUT = ['ok', 'fail', 'info', 'pending'];
  var OUT_COLOR = ['#2f9e44', '#e03131', '#f08c00', '#868e96'];
  var PALETTE = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#0ca678', '#f59f00', '#d6336c', '#495057', '#3b5bdb', '#74b816'];
  var FAULT_FILL = { partition: 'rgba(224,49,49,0.10)', kill: 'rgba(33,37,41,0.12)', pause: 'rgba(174,62,201,0.12)', latency: 'rgba(28,126,214,0.10)' };
  var FAULT_BAR = { partition: '#ffa8a8', kill: '#868e96', pause: '#e599f7', latency: '#a5d8ff' };
  var ROLE_COLOR = { leader: '#1c7ed6', follower: '#d0ebff', candidate: '#ffd43b', down: '#495057' };
  var END = Math.max(D.endTime, 1);
  var LEFT = 130;
  var RIGHT = 14;

  var view = { t0: 0, t1: END };
  var highlight = null; // Uint8Array over calls, or null
  var highlightIndexes = null; // Set of history indexes
  var selected = -1;
  var hiddenF = {};

  // ---------- helpers ----------
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else if (k === 'style') e.style.cssText = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }
  function str(i) { return i >= 0 ? S[i] : ''; }
  function fmtT(us) { return (us / 1e6).toFixed(us < 1e7 ? 3 : 2) + 's'; }
  function fmtMs(us) { var ms = us / 1000; return ms < 10 ? ms.toFixed(2) + ' ms' : ms < 1000 ? ms.toFixed(1) + ' ms' : (ms / 1000).toFixed(2) + ' s'; }
  function endOf(i) { return C.end[i] < 0 ? END : C.end[i]; }
  function describe(i) {
    var s = str(C.f[i]);
    if (C.key[i] >= 0) s += ' ' + str(C.key[i]);
    if (C.input[i] !== null) s += ' ' + C.input[i];
    if (C.output[i] !== null) s += ' -> ' + C.output[i];
    return s;
  }
  var fColor = {};
  (function () {
    var seen = [];
    for (var i = 0; i < N; i++) if (seen.indexOf(C.f[i]) < 0) seen.push(C.f[i]);
    seen.sort(function (a, b) { return str(a) < str(b) ? -1 : 1; });
    seen.forEach(function (f, j) { fColor[f] = PALETTE[j % PALETTE.length]; });
  })();

  // history index -> call, and calls per lane (in invoke order, which is start order)
  var callOf = new Map();
  var laneCount = D.lanes.length;
  var laneCalls = [];
  for (var l = 0; l < laneCount; l++) laneCalls.push([]);
  for (var i = 0; i < N; i++) {
    callOf.set(C.inv[i], i);
    if (C.cmp[i] >= 0) callOf.set(C.cmp[i], i);
    laneCalls[C.lane[i]].push(i);
  }
  var laneArr = laneCalls.map(function (a) { return Int32Array.from(a); });
  var markerOf = new Map();
  (D.markers || []).forEach(function (m) { markerOf.set(m.index, m); });
  var shownMarkers = [];

  // ---------- canvases and the shared time axis ----------
  function setupCanvas(canvas, height, readBack) {
    var dpr = window.devicePixelRatio || 1;
    var w = canvas.parentElement.clientWidth;
    canvas.style.height = height + 'px';
    canvas.width = Math.max(1, Math.floor(w * dpr));
    canvas.height = Math.floor(height * dpr);
    var ctx = canvas.getContext('2d', readBack ? { willReadFrequently: true } : undefined);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { ctx: ctx, w: w, h: height };
  }
  function plotW(w) { return Math.max(10, w - LEFT - RIGHT); }
  function xOf(t, w) { return LEFT + ((t - view.t0) / (view.t1 - view.t0)) * plotW(w); }
  function tOf(x, w) { return view.t0 + ((x - LEFT) / plotW(w)) * (view.t1 - view.t0); }
  function niceStep(span, target) {
    var raw = span / target, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }
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
  function shadeFaults(ctx, w, top, bottom) {
    D.faults.forEach(function (f) {
      var x0 = Math.max(LEFT, xOf(f.start, w)), x1 = Math.min(w - RIGHT, xOf(f.end === null ? END : f.end, w));
      if (x1 < LEFT || x0 > w - RIGHT) return;
      ctx.fillStyle = FAULT_FILL[f.kind] || 'rgba(134,142,150,0.12)';
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), bottom - top);
    });
  }
  function clipPlot(ctx, w, h) { ctx.save(); ctx.beginPath(); ctx.rect(LEFT, 0, plotW(w), h); ctx.clip(); }

  // ---------- timeline ----------
  var ROW = 16, AXIS = 22;
  var tl = { canvas: $('timeline'), scroll: $('timeline-scroll'), spacer: $('timeline-spacer') };
  var fixedRows = D.nodes.length + 1; // node roles, then the nemesis
  var totalH = AXIS + (fixedRows + laneCount) * ROW + 6;
  var tlH = Math.min(totalH, Math.max(260, Math.floor(window.innerHeight * 0.6)));
  tl.spacer.style.height = Math.max(0, totalH - tlH) + 'px';
  tl.scroll.style.height = tlH + 'px';

  function laneTop() { return AXIS + fixedRows * ROW + 4; }

  function drawTimeline() {
    var g = setupCanvas(tl.canvas, tlH), ctx = g.ctx, w = g.w, h = g.h;
    var scrollY = tl.scroll.scrollTop;
    ctx.clearRect(0, 0, w, h);
    var top0 = laneTop();
    shadeFaults(ctx, w, AXIS, h);
    drawTimeAxis(ctx, w, 11, AXIS, h);
    // client lanes (scrolled)
    ctx.save();
    ctx.beginPath(); ctx.rect(0, top0, w, h - top0); ctx.clip();
    var first = Math.max(0, Math.floor(scrollY / ROW) - 1), last = Math.min(laneCount - 1, Math.ceil((scrollY + h - top0) / ROW) + 1);
    ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
    var drawn = 0;
    for (var l = first; l <= last; l++) {
      var y = top0 + l * ROW - scrollY;
      ctx.fillStyle = l % 2 ? 'rgba(0,0,0,0.025)' : 'rgba(0,0,0,0)';
      ctx.fillRect(0, y, w, ROW);
      ctx.fillStyle = '#656d76';
      ctx.fillText(D.lanes[l], 4, y + ROW / 2, LEFT - 8);
    }
    clipPlot(ctx, w, h);
    var hiList = [];
    for (l = first; l <= last; l++) {
      y = top0 + l * ROW - scrollY;
      var arr = laneArr[l];
      var lo = 0, hi = arr.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (endOf(arr[mid]) < view.t0) lo = mid + 1; else hi = mid; }
      var lastPx = -1, lastType = -1;
      for (var k = lo; k < arr.length; k++) {
        var c = arr[k];
        if (C.start[c] > view.t1) break;
        var x0 = xOf(C.start[c], w), x1 = xOf(endOf(c), w);
        var px = Math.floor(x0);
        if (x1 - x0 < 1 && px === lastPx && C.type[c] === lastType && !(highlight && highlight[c])) continue;
        lastPx = px; lastType = C.type[c];
        ctx.globalAlpha = highlight && !highlight[c] ? 0.22 : 1;
        ctx.fillStyle = OUT_COLOR[C.type[c]];
        ctx.fillRect(x0, y + 3, Math.max(1, x1 - x0), ROW - 6);
        drawn++;
        if ((highlight && highlight[c]) || c === selected) hiList.push([x0, y, Math.max(1, x1 - x0), c]);
      }
    }
    ctx.globalAlpha = 1;
    hiList.forEach(function (b) {
      ctx.strokeStyle = b[3] === selected ? '#0b5cad' : '#111';
      ctx.lineWidth = 2;
      ctx.strokeRect(b[0] - 1.5, b[1] + 1.5, Math.max(3, b[2] + 3), ROW - 3);
    });
    ctx.restore();
    ctx.restore();
    // fixed rows: node roles and the nemesis, drawn over a white band
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, AXIS, w, top0 - AXIS);
    shadeFaults(ctx, w, AXIS, top0);
    ctx.fillStyle = '#656d76'; ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
    D.nodes.forEach(function (n, j) { ctx.fillText(n, 4, AXIS + j * ROW + ROW / 2, LEFT - 8); });
    ctx.fillText('nemesis', 4, AXIS + D.nodes.length * ROW + ROW / 2);
    clipPlot(ctx, w, h);
    D.roles.forEach(function (r) {
      var j = D.nodes.indexOf(r.node);
      if (r.end < view.t0 || r.start > view.t1 || j < 0) return;
      var x0 = xOf(r.start, w), x1 = xOf(r.end, w);
      ctx.fillStyle = ROLE_COLOR[r.role] || '#ced4da';
      ctx.fillRect(x0, AXIS + j * ROW + 4, Math.max(1, x1 - x0), ROW - 8);
    });
    var ny = AXIS + D.nodes.length * ROW;
    D.faults.forEach(function (f) {
      var x0 = xOf(f.start, w), x1 = xOf(f.end === null ? END : f.end, w);
      ctx.fillStyle = FAULT_BAR[f.kind] || '#ced4da';
      ctx.fillRect(x0, ny + 2, Math.max(2, x1 - x0), ROW - 4);
      ctx.fillStyle = '#212529';
      ctx.fillText(f.label, Math.max(LEFT + 2, x0 + 3), ny + ROW / 2, Math.max(0, x1 - Math.max(LEFT, x0) - 4));
    });
    D.nemesisOps.forEach(function (o) {
      var x = xOf(o.time, w);
      ctx.fillStyle = o.type === 'fail' ? '#e03131' : '#495057';
      ctx.fillRect(x - 1, ny + 1, 2, ROW - 2);
    });
    shownMarkers.forEach(function (m) {
      var j = m.node !== undefined ? D.nodes.indexOf(m.node) : -1;
      var y = j >= 0 ? AXIS + j * ROW : ny, x = xOf(m.time, w);
      ctx.fillStyle = '#111';
      ctx.beginPath(); ctx.moveTo(x, y + ROW - 2); ctx.lineTo(x - 5, y + 1); ctx.lineTo(x + 5, y + 1); ctx.closePath(); ctx.fill();
    });
    ctx.restore();
    ctx.fillStyle = '#d0d7de';
    ctx.fillRect(0, top0 - 2, w, 1);
    tl.canvas.dataset.drawn = String(drawn);
    tl.canvas.dataset.markers = String(shownMarkers.length);
  }

  function timelineHit(x, y) {
    var w = tl.canvas.clientWidth;
    if (x < LEFT || x > w - RIGHT) return null;
    var t = tOf(x, w), tolerance = (3 / plotW(w)) * (view.t1 - view.t0);
    var top0 = laneTop();
    if (y < top0) {
      var ny = AXIS + D.nodes.length * ROW;
      if (y >= ny && y < ny + ROW) {
        for (var j = D.faults.length - 1; j >= 0; j--) {
          var f = D.faults[j];
          if (t >= f.start - tolerance && t <= (f.end === null ? END : f.end) + tolerance) return { fault: f };
        }
      }
      var n = Math.floor((y - AXIS) / ROW);
      if (n >= 0 && n < D.nodes.length) {
        for (var r = 0; r < D.roles.length; r++) {
          var s = D.roles[r];
          if (s.node === D.nodes[n] && t >= s.start - tolerance && t <= s.end + tolerance) return { role: s };
        }
      }
      return null;
    }
    var l = Math.floor((y - top0 + tl.scroll.scrollTop) / ROW);
    if (l < 0 || l >= laneCount) return null;
    var arr = laneArr[l], lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (endOf(arr[mid]) < t - tolerance) lo = mid + 1; else hi = mid; }
    if (lo < arr.length && C.start[arr[lo]] <= t + tolerance) return { call: arr[lo] };
    return null;
  }

  // ---------- latency ----------
  var lat = { canvas: $('latency'), h: 280 };
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
  function latY(d, h) { var v = Math.log10(Math.max(10, d)); return LAT_TOP + (1 - (v - latRange.lmin) / (latRange.lmax - latRange.lmin)) * (h - LAT_TOP - LAT_BOTTOM); }
  /** A #rrggbb colour as one little-endian RGBA pixel, mixed with white by `white` (0..1). */
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
    var packed = {}, packedDim = {};
    Object.keys(fColor).forEach(function (f) { packed[f] = packColor(fColor[f], 0.1); packedDim[f] = packColor(fColor[f], 0.8); });
    var drawn = 0, his = [], marks = [];
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
  function latencyHit(x, y) {
    var w = lat.canvas.clientWidth, h = lat.h, best = -1, bestD = 36;
    for (var i = 0; i < N; i++) {
      if (C.end[i] < 0 || C.start[i] > view.t1 || C.start[i] < view.t0 || hiddenF[C.f[i]]) continue;
      var dx = xOf(C.start[i], w) - x, dy = latY(C.end[i] - C.start[i], h) - y, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best >= 0 ? { call: best } : null;
  }

  // ---------- throughput ----------
  var thr = { canvas: $('throughput'), h: 170 };
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

  // ---------- redraw, zoom, hover ----------
  var pending = 0; // 1: the timeline only (it scrolled), 2: every chart
  function redraw(timelineOnly) {
    var want = timelineOnly ? 1 : 2;
    if (pending >= want) return;
    var first = pending === 0;
    pending = want;
    if (first) requestAnimationFrame(function () { var all = pending === 2; pending = 0; if (all) drawAll(); else drawTimeline(); });
  }
  function drawAll() {
    var t = performance.now();
    drawTimeline();
    var t1 = performance.now();
    drawLatency();
    var t2 = performance.now();
    drawThroughput();
    var t3 = performance.now();
    window.__lastDrawMs = t3 - t;
    window.__drawTimes = { timeline: t1 - t, latency: t2 - t1, throughput: t3 - t2 };
    $('range').textContent = fmtT(view.t0) + ' – ' + fmtT(view.t1) + (view.t0 > 0 || view.t1 < END ? ' (zoomed)' : '');
  }
  function setView(t0, t1) {
    var minSpan = 200;
    if (t1 - t0 < minSpan) { var m = (t0 + t1) / 2; t0 = m - minSpan / 2; t1 = m + minSpan / 2; }
    var span = Math.min(t1 - t0, END);
    t0 = Math.max(0, Math.min(t0, END - span));
    view.t0 = t0; view.t1 = t0 + span;
    redraw();
  }
  function zoom(factor, center) {
    var c = center === undefined ? (view.t0 + view.t1) / 2 : center;
    setView(c - (c - view.t0) * factor, c + (view.t1 - c) * factor);
  }
  $('zoom-in').addEventListener('click', function () { zoom(0.5); });
  $('zoom-out').addEventListener('click', function () { zoom(2); });
  $('zoom-reset').addEventListener('click', function () { setView(0, END); });
  $('pan-left').addEventListener('click', function () { var s = view.t1 - view.t0; setView(view.t0 - s / 3, view.t1 - s / 3); });
  $('pan-right').addEventListener('click', function () { var s = view.t1 - view.t0; setView(view.t0 + s / 3, view.t1 + s / 3); });

  var tip = $('tooltip');
  function showTip(ev, lines) {
    tip.textContent = lines.join('\n');
    tip.style.display = 'block';
    var x = ev.clientX + 14, y = ev.clientY + 14;
    if (x + 420 > window.innerWidth) x = Math.max(4, ev.clientX - 430);
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }
  function hideTip() { tip.style.display = 'none'; }
  function callLines(c) {
    var lines = ['process ' + C.process[c] + ': ' + describe(c), OUT[C.type[c]] + ', ' + fmtT(C.start[c]) + (C.end[c] >= 0 ? ' .. ' + fmtT(C.end[c]) + ' (' + fmtMs(C.end[c] - C.start[c]) + ')' : ', no completion')];
    if (C.node[c] >= 0) lines.push('node ' + str(C.node[c]));
    if (C.error[c] >= 0) lines.push('error: ' + str(C.error[c]));
    lines.push('history ops #' + C.inv[c] + (C.cmp[c] >= 0 ? ', #' + C.cmp[c] : ''));
    return lines;
  }
  function hitLines(hit) {
    if (hit.call !== undefined) return callLines(hit.call);
    if (hit.fault) return [hit.fault.label || hit.fault.kind, fmtT(hit.fault.start) + ' .. ' + (hit.fault.end === null ? 'end of run' : fmtT(hit.fault.end)), 'nemesis ops #' + hit.fault.ops.join(', #')];
    if (hit.role) return [hit.role.node + ': ' + hit.role.role + (hit.role.term ? ' (term ' + hit.role.term + ')' : ''), fmtT(hit.role.start) + ' .. ' + fmtT(hit.role.end)];
    return [];
  }

  function attachInteractions(canvas, hitTest) {
    var box = el('div', { cls: 'selbox' });
    canvas.parentElement.appendChild(box);
    var drag = null;
    function localX(ev) { return ev.clientX - canvas.getBoundingClientRect().left; }
    function localY(ev) { return ev.clientY - canvas.getBoundingClientRect().top; }
    canvas.addEventListener('mousedown', function (ev) {
      if (ev.button !== 0) return;
      drag = { x: localX(ev), moved: false };
      ev.preventDefault();
    });
    window.addEventListener('mousemove', function (ev) {
      if (!drag) return;
      var x = localX(ev);
      if (Math.abs(x - drag.x) > 4) drag.moved = true;
      if (!drag.moved) return;
      var a = Math.max(LEFT, Math.min(drag.x, x)), b = Math.min(canvas.clientWidth - RIGHT, Math.max(drag.x, x));
      box.style.display = 'block'; box.style.left = a + 'px'; box.style.width = Math.max(0, b - a) + 'px';
      box.style.top = canvas.offsetTop + 'px'; box.style.height = canvas.clientHeight + 'px';
    });
    window.addEventListener('mouseup', function (ev) {
      if (!drag) return;
      var d = drag; drag = null; box.style.display = 'none';
      var w = canvas.clientWidth, x = localX(ev);
      if (d.moved) {
        var a = Math.max(LEFT, Math.min(d.x, x)), b = Math.min(w - RIGHT, Math.max(d.x, x));
        if (b - a > 3) setView(tOf(a, w), tOf(b, w));
        return;
      }
      var hit = hitTest(x, localY(ev));
      if (hit && hit.call !== undefined) selectCall(hit.call);
    });
    canvas.addEventListener('mousemove', function (ev) {
      if (drag && drag.moved) return;
      var hit = hitTest(localX(ev), localY(ev));
      canvas.style.cursor = hit ? 'pointer' : 'crosshair';
      if (hit) showTip(ev, hitLines(hit)); else hideTip();
    });
    canvas.addEventListener('mouseleave', hideTip);
    canvas.addEventListener('dblclick', function () { setView(0, END); });
    canvas.addEventListener('wheel', function (ev) {
      if (!ev.ctrlKey && !ev.metaKey && !ev.altKey) return;
      ev.preventDefault();
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, tOf(localX(ev), canvas.clientWidth));
    }, { passive: false });
  }
  attachInteractions(tl.canvas, timelineHit);
  attachInteractions(lat.canvas, latencyHit);
  attachInteractions(thr.canvas, function () { return null; });
  tl.scroll.addEventListener('scroll', function () { redraw(true); });
  window.addEventListener('resize', function () { redraw(); });

  // ---------- selection and highlighting ----------
  function selectCall(c) {
    selected = c;
    var box = $('op-details');
    box.textContent = '';
    var rows = [['process', String(C.process[c])], ['op', describe(c)], ['outcome', OUT[C.type[c]]], ['invoked', fmtT(C.start[c])],
      ['completed', C.end[c] >= 0 ? fmtT(C.end[c]) + ' (' + fmtMs(C.end[c] - C.start[c]) + ')' : 'never'], ['node', str(C.node[c]) || '-'],
      ['error', str(C.error[c]) || '-'], ['history ops', '#' + C.inv[c] + (C.cmp[c] >= 0 ? ', #' + C.cmp[c] : '')]];
    var t = el('table', { id: 'op-table' });
    rows.forEach(function (r) { t.appendChild(el('tr', null, el('th', { text: r[0] }), el('td', { text: r[1] }))); });
    box.appendChild(t);
    redraw();
  }
  function showCalls(indexes, label) {
    var mark = new Uint8Array(N), any = false, t0 = Infinity, t1 = -Infinity, firstLane = Infinity, nem = [];
    indexes.forEach(function (ix) {
      var c = callOf.get(ix);
      if (c === undefined) { nem.push(ix); return; }
      mark[c] = 1; any = true;
      t0 = Math.min(t0, C.start[c]); t1 = Math.max(t1, endOf(c));
      firstLane = Math.min(firstLane, C.lane[c]);
    });
    D.faults.forEach(function (f) {
      if (f.ops.some(function (o) { return nem.indexOf(o) >= 0; })) { t0 = Math.min(t0, f.start); t1 = Math.max(t1, f.end === null ? END : f.end); }
    });
    shownMarkers = [];
    nem.forEach(function (ix) {
      var m = markerOf.get(ix);
      if (!m) return;
      shownMarkers.push(m);
      t0 = Math.min(t0, m.time); t1 = Math.max(t1, m.time);
    });
    highlight = any ? mark : null;
    highlightIndexes = new Set(indexes);
    document.body.dataset.highlight = indexes.join(',');
    var bar = $('highlight-bar');
    bar.textContent = '';
    bar.appendChild(document.createTextNode('Highlighted: ' + label + ' (' + indexes.length + ' history ops: #' + indexes.slice(0, 12).join(', #') + (indexes.length > 12 ? ', …' : '') + ') '));
    var clear = el('button', { id: 'clear-highlight', text: 'clear' });
    clear.addEventListener('click', clearHighlight);
    bar.appendChild(clear);
    bar.style.display = 'block';
    if (isFinite(t0)) {
      var span = Math.max(t1 - t0, 2000), pad = span * 0.6;
      setView(t0 - pad, t1 + pad);
    }
    if (isFinite(firstLane)) {
      var target = firstLane * ROW - 2 * ROW;
      var visibleRows = (tlH - laneTop()) / ROW;
      var cur = tl.scroll.scrollTop / ROW;
      if (firstLane < cur || firstLane > cur + visibleRows - 1) tl.scroll.scrollTop = Math.max(0, target);
    }
    $('timeline-section').scrollIntoView({ block: 'start' });
    redraw();
  }
  function clearHighlight() {
    highlight = null; highlightIndexes = null; shownMarkers = [];
    delete document.body.dataset.highlight;
    $('highlight-bar').style.display = 'none';
    Array.prototype.forEach.call(document.querySelectorAll('.anomaly.active'), function (a) { a.classList.remove('active'); });
    redraw();
  }

  // ---------- legend ----------
  (function () {
    var lg = $('latency-legend');
    Object.keys(fColor).forEach(function (f) {
      var box = el('input', { type: 'checkbox' });
      box.checked = true;
      box.addEventListener('change', function () { hiddenF[f] = !box.checked; redraw(); });
      lg.appendChild(el('label', null, box, el('span', { cls: 'swatch', style: 'background:' + fColor[f] }), str(Number(f))));
    });
    lg.appendChild(el('span', { text: '■ ok   ✕ fail   □ info (timed out)' }));
  })();

  // What each kind of anomaly means, in one sentence; the checker's explanation says what happened.
  var KINDS = {
    'not-linearizable': 'No order of the operations that respects real time explains what the clients saw: some op saw a state that could not exist then.',
    'stale-read': 'A read returned a value that had already been overwritten by a write that completed before the read began.',
    'read-your-writes': 'A client read a value older than its own last acknowledged write.',
    'monotonic-reads': 'A client read a value older than one it had read before: its view of the data went back in time.',
    'unexpected-value': 'A read returned a value that no write could have written.',
    'divergence': 'After every write had ended, replicas still answered with different values: they never converged.',
    'two-leaders': 'Two nodes claimed leadership of the same term: election safety is broken.',
    'term-regression': 'A node reported a lower term than it had reported before.',
    'lost': 'An acknowledged task or message was never delivered.',
    'duplicate': 'The same task or message was delivered more than once.',
    'duplicated': 'The same task or message was delivered more than once.',
    'unexpected': 'Something was delivered that was never sent.',
    'stuck': 'A task stayed in processing at the end of the run: no one will ever complete it.',
    'undrained': 'Tasks were still in the queue after the final drain.',
    'gap': 'A sequence number was skipped: the messages in between never arrived.',
    'missing': 'A message a subscriber should have received never arrived.',
    'out-of-order': 'Messages arrived out of sequence order.',
    'order-disagreement': 'Two clients saw the same two messages in different orders.',
    'sender-fifo': 'Messages of one sender arrived in a different order from the one they were sent in.',
    'sequence-reused': 'Two different messages got the same sequence number.',
    'sequence-changed': 'A message was delivered again with a different sequence number.',
    'availability': 'Fewer operations succeeded than the campaign requires.',
    'unavailable': 'The system was not available: an operation kind never succeeded, or too few operations succeeded outside fault windows.',
    'latency': 'Operations were slower than the campaign allows.',
    'unreadable-history': 'The history could not be checked.'
  };

  // ---------- anomalies ----------
  var SHOW_FIRST = 5;
  function anomalyItem(r, a, j) {
    var ops = Array.isArray(a.ops) ? a.ops.filter(function (x) { return typeof x === 'number'; }) : [];
    var li = el('li', { cls: 'anomaly', tabindex: '0', 'data-checker': r.checker, 'data-kind': String(a.kind), 'data-ops': ops.join(',') },
      el('span', { cls: 'kind', text: String(a.kind) }),
      a.key !== undefined ? el('span', { cls: 'muted', text: 'key ' + String(a.key) + ' ' }) : null,
      Object.prototype.hasOwnProperty.call(KINDS, a.kind) ? el('div', { cls: 'meaning', text: KINDS[a.kind] }) : null,
      el('div', { cls: 'explanation', text: String(a.explanation) }),
      el('div', { cls: 'ops', text: ops.length ? 'ops #' + ops.join(', #') + ' — click to show them on the timeline' : 'no ops' }));
    function activate() {
      Array.prototype.forEach.call(document.querySelectorAll('.anomaly.active'), function (x) { x.classList.remove('active'); });
      li.classList.add('active');
      if (ops.length) showCalls(ops, r.checker + ' ' + a.kind + ' #' + (j + 1));
    }
    li.addEventListener('click', activate);
    li.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); activate(); } });
    return li;
  }
  (function () {
    var root = $('anomalies');
    var total = 0;
    D.results.forEach(function (r) {
      var list = r.anomalies || [];
      var truncated = (r.details && r.details.truncated) || {};
      if (list.length === 0) return;
      root.appendChild(el('h3', null, r.checker + ' ', el('span', { cls: 'muted', text: '(' + list.length + ' shown)' })));
      // one list per kind; long lists show their first few, the rest one click away
      var kinds = [], byKind = {};
      list.forEach(function (a, j) {
        var k = String(a.kind);
        if (!byKind[k]) { byKind[k] = []; kinds.push(k); }
        byKind[k].push([a, j]);
      });
      kinds.forEach(function (k) {
        var items = byKind[k];
        var ul = el('ul', { cls: 'anomalies', 'data-kind': k });
        if (kinds.length > 1 || items.length > SHOW_FIRST) root.appendChild(el('h4', { text: k + ' (' + items.length + (truncated[k] ? ' kept of ' + (items.length + truncated[k]) : '') + ')' }));
        items.forEach(function (pair, n) {
          total++;
          var li = anomalyItem(r, pair[0], pair[1]);
          if (n >= SHOW_FIRST) li.style.display = 'none';
          ul.appendChild(li);
        });
        root.appendChild(ul);
        if (items.length > SHOW_FIRST) {
          var more = el('button', { type: 'button', cls: 'more-anomalies', text: 'show ' + (items.length - SHOW_FIRST) + ' more ' + k });
          more.addEventListener('click', function () {
            Array.prototype.forEach.call(ul.children, function (li) { li.style.display = ''; });
            more.remove();
          });
          root.appendChild(more);
        }
      });
      Object.keys(truncated).forEach(function (k) {
        root.appendChild(el('p', { cls: 'muted', text: '… and ' + truncated[k] + ' more ' + k + ' not listed (every one is counted in the summary).' }));
      });
    });
    if (total === 0) root.appendChild(el('p', { text: 'No anomalies: no checker found anything wrong.' }));
  })();

  // ---------- linearizability witnesses ----------
  (function () {
    var root = $('witnesses');
    var any = false;
    D.results.forEach(function (r) {
      var ws = r.details && Array.isArray(r.details.witness) ? r.details.witness : [];
      ws.forEach(function (w, wi) {
        any = true;
        var box = el('div', { cls: 'witness' });
        box.appendChild(el('h3', { text: (w.key !== undefined ? 'key ' + w.key + ': ' : '') + 'not linearizable' }));
        box.appendChild(el('p', { text: String(w.explanation || '') }));
        var prefix = Array.isArray(w.longestPrefix) ? w.longestPrefix : [];
        var omitted = w.prefixOmitted || 0;
        var tail = prefix.slice(-8);
        var involved = [];
        tail.forEach(function (p, j) { involved.push({ op: p.op, cls: 'prefix', order: omitted + prefix.length - tail.length + j + 1, state: p.stateAfter }); });
        involved.push({ op: w.op, cls: 'stuck' });
        (w.concurrent || []).slice(0, 16).forEach(function (o) { involved.push({ op: o, cls: 'concurrent' }); });
        box.appendChild(drawLinearization(involved));
        box.appendChild(el('div', { cls: 'legend' },
          el('span', null, el('span', { cls: 'swatch', style: 'background:#d3f9d8' }), 'linearized (order → state after)'),
          el('span', null, el('span', { cls: 'swatch', style: 'background:#ffc9c9' }), 'the op that could not be placed'),
          el('span', null, el('span', { cls: 'swatch', style: 'background:#fff3bf' }), 'concurrent ops that were tried')));
        var states = el('div', { cls: 'states' });
        (w.statesBefore || []).forEach(function (s) { states.appendChild(el('code', { text: String(s) })); });
        box.appendChild(el('p', null, el('strong', { text: 'States possible just before “' + (w.op && w.op.description) + '”: ' })));
        box.appendChild(states);
        var table = el('table', { cls: 'prefix-table' });
        table.appendChild(el('tr', null, el('th', { cls: 'num', text: '#' }), el('th', { text: 'operation' }), el('th', { cls: 'num', text: 'process' }), el('th', { text: 'history ops' }), el('th', { text: 'state after' })));
        var SHOWN = 12;
        if (prefix.length > SHOWN) {
          var more = el('tr', { cls: 'more-rows' }, el('td', { colspan: '5' }));
          var btnMore = el('button', { type: 'button', text: 'show the ' + (prefix.length - SHOWN) + ' earlier ops of the prefix' });
          more.firstChild.appendChild(btnMore);
          btnMore.addEventListener('click', function () {
            Array.prototype.forEach.call(table.querySelectorAll('tr.hidden-row'), function (tr) { tr.style.display = ''; });
            more.remove();
          });
          table.appendChild(more);
        }
        prefix.forEach(function (p, j) {
          table.appendChild(el('tr', j < prefix.length - SHOWN ? { cls: 'hidden-row', style: 'display:none' } : null, el('td', { cls: 'num', text: String(omitted + j + 1) }), el('td', { text: String(p.op.description) }), el('td', { cls: 'num', text: String(p.op.process) }),
            el('td', { text: opsText(p.op) }), el('td', null, el('code', { text: String(p.stateAfter) }))));
        });
        table.appendChild(el('tr', { cls: 'stuck' }, el('td', { cls: 'num', text: '✗' }), el('td', { text: String(w.op.description) }), el('td', { cls: 'num', text: String(w.op.process) }),
          el('td', { text: opsText(w.op) }), el('td', { text: 'cannot be placed: the state could only be ' + (w.statesBefore || []).join(' or ') })));
        box.appendChild(el('h4', { text: 'Partial linearization: the longest linearizable prefix' + (omitted ? ' (its last ' + prefix.length + ' of ' + (omitted + prefix.length) + ' ops)' : '') }));
        box.appendChild(table);
        if ((w.concurrent || []).length) {
          box.appendChild(el('h4', { text: 'Concurrent ops that were tried (' + w.concurrent.length + ')' }));
          var ul = el('ul');
          w.concurrent.slice(0, 50).forEach(function (o) { ul.appendChild(el('li', { text: 'process ' + o.process + ': ' + o.description + ' (' + opsText(o) + ')' + (o.indeterminate ? ', indeterminate' : '') })); });
          box.appendChild(ul);
        }
        var btn = el('button', { text: 'Show these ops on the timeline' });
        btn.addEventListener('click', function () {
          var ix = [];
          involved.forEach(function (v) { ix.push(v.op.invokeIndex); if (v.op.completeIndex !== undefined) ix.push(v.op.completeIndex); });
          showCalls(ix, 'linearizability witness ' + (wi + 1) + (w.key !== undefined ? ' (key ' + w.key + ')' : ''));
        });
        box.appendChild(btn);
        root.appendChild(box);
      });
    });
    if (!any) root.appendChild(el('p', { text: 'No linearizability failure to show.' }));
  })();
  function opsText(o) { return '#' + o.invokeIndex + (o.completeIndex !== undefined ? ', #' + o.completeIndex : ''); }
  function drawLinearization(items) {
    var times = items.map(function (v) {
      var c = callOf.get(v.op.invokeIndex);
      return c === undefined ? null : { s: C.start[c], e: endOf(c), c: c };
    });
    var t0 = Infinity, t1 = -Infinity;
    times.forEach(function (t) { if (t) { t0 = Math.min(t0, t.s); t1 = Math.max(t1, t.e); } });
    if (!isFinite(t0)) { t0 = 0; t1 = 1; }
    var span = Math.max(1, t1 - t0);
    var procs = [];
    items.forEach(function (v) { if (procs.indexOf(v.op.process) < 0) procs.push(v.op.process); });
    var rowH = 26;
    var box = el('div', { cls: 'lin', style: 'height:' + (procs.length * rowH + 26) + 'px' });
    procs.forEach(function (p, j) { box.appendChild(el('div', { cls: 'row-label', style: 'top:' + (j * rowH + 5) + 'px', text: 'process ' + p })); });
    var track = el('div', { cls: 'lin-track' });
    box.appendChild(track);
    items.forEach(function (v, j) {
      var t = times[j], row = procs.indexOf(v.op.process);
      var left = t ? ((t.s - t0) / span) * 100 : 0, width = t ? Math.max(0.6, ((t.e - t.s) / span) * 100) : 100;
      width = Math.min(width, 100.4 - left);
      var label = (v.order ? v.order + '. ' : '') + v.op.description + (v.state !== undefined ? ' → ' + v.state : '') + (v.cls === 'stuck' ? '  ✗ cannot be placed' : '');
      var top = row * rowH + 2;
      var bar = el('div', { cls: 'bar ' + v.cls + (v.op.indeterminate ? ' indeterminate' : ''), title: label, style: 'top:' + top + 'px;left:' + left + '%;width:' + width + '%' });
      var text = el('div', { cls: 'bar-label' + (v.cls === 'stuck' ? ' stuck' : ''), text: label });
      if (width > 30) text.style.cssText = 'top:' + top + 'px;left:calc(' + left + '% + 4px)';
      else if (left + width / 2 > 55) text.style.cssText = 'top:' + top + 'px;right:calc(' + (100 - left) + '% + 4px);text-align:right';
      else text.style.cssText = 'top:' + top + 'px;left:calc(' + (left + width) + '% + 4px)';
      if (t) {
        var pick = function () { showCalls([v.op.invokeIndex].concat(v.op.completeIndex !== undefined ? [v.op.completeIndex] : []), v.op.description); selectCall(t.c); };
        bar.addEventListener('click', pick); text.addEventListener('click', pick);
      }
      track.appendChild(bar);
      track.appendChild(text);
    });
    box.appendChild(el('div', { cls: 'row-label', style: 'bottom:3px;left:78px', text: fmtT(t0) + ' … ' + fmtT(t1) + ' (' + fmtMs(span) + ', real time left to right)' }));
    return box;
  }

  // ---------- perf tables ----------
  (function () {
    var root = $('perf');
    var perf = D.results.filter(function (r) { return r.checker === 'perf' && r.details; })[0];
    if (!perf) { root.appendChild(el('p', { cls: 'muted', text: 'The campaign has no perf checker; latency quantiles and availability are not computed.' })); return; }
    var lat = perf.details.latencyMs || {};
    var t = el('table');
    var cols = ['ok', 'fail', 'info', 'pending', 'p50', 'p95', 'p99', 'max'];
    var head = el('tr', null, el('th', { text: 'op' }));
    t.appendChild(head);
    cols.forEach(function (c) { head.appendChild(el('th', { cls: 'num', text: c + (c[0] === 'p' || c === 'max' ? ' ms' : '') })); });
    Object.keys(lat).forEach(function (f) {
      var tr = el('tr', null, el('td', { text: f }));
      cols.forEach(function (c) { var v = lat[f][c]; tr.appendChild(el('td', { cls: 'num', text: v === null || v === undefined ? '–' : String(v) })); });
      t.appendChild(tr);
    });
    root.appendChild(t);
    var av = perf.details.availability;
    if (av) {
      var at = el('table');
      at.appendChild(el('tr', null, el('th', { text: 'availability' }), el('th', { cls: 'num', text: 'ok' }), el('th', { cls: 'num', text: 'completed' }), el('th', { cls: 'num', text: 'share ok' })));
      [['whole run', av.overall], ['inside fault windows', av.insideFaults], ['outside fault windows', av.outsideFaults]].forEach(function (row) {
        var a = row[1] || {};
        at.appendChild(el('tr', null, el('td', { text: row[0] }), el('td', { cls: 'num', text: String(a.ok) }), el('td', { cls: 'num', text: String(a.completed) }),
          el('td', { cls: 'num', text: a.share === null || a.share === undefined ? 'n/a' : (a.share * 100).toFixed(1) + '%' })));
      });
      root.appendChild(at);
    }
  })();

  // ---------- faults list ----------
  (function () {
    var root = $('faults');
    if (D.faults.length === 0) { root.appendChild(el('p', { cls: 'muted', text: 'No faults were injected.' })); return; }
    var t = el('table');
    t.appendChild(el('tr', null, el('th', { text: 'fault' }), el('th', { text: 'start' }), el('th', { text: 'end' }), el('th', { text: 'what' })));
    D.faults.forEach(function (f) {
      var tr = el('tr', { style: 'cursor:pointer' }, el('td', { text: f.kind + (f.node ? ' ' + f.node : '') }), el('td', { text: fmtT(f.start) }), el('td', { text: f.end === null ? 'never healed' : fmtT(f.end) }), el('td', { text: f.label }));
      tr.addEventListener('click', function () { var s = (f.end === null ? END : f.end) - f.start; setView(f.start - s * 0.3, (f.end === null ? END : f.end) + s * 0.3); $('timeline-section').scrollIntoView(); });
      t.appendChild(tr);
    });
    root.appendChild(t);
  })();

  $('copy-replay') && $('copy-replay').addEventListener('click', function () {
    var text = $('replay-command').textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
  });

  drawAll();
  window.__reportRenderMs = performance.now() - started;
  document.body.dataset.ready = '1';
})();
