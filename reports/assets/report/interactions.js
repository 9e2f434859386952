// @ts-check
/** Redrawing (one animation frame for any number of changes), zoom and pan, tooltips, drag-to-zoom
 * and clicks on the canvases. */
var pending = 0; // 1: the timeline only (it scrolled), 2: every chart
/** @param {boolean} [timelineOnly] */
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
/** @param {number} t0 @param {number} t1 */
function setView(t0, t1) {
  var minSpan = 200;
  if (t1 - t0 < minSpan) { var m = (t0 + t1) / 2; t0 = m - minSpan / 2; t1 = m + minSpan / 2; }
  var span = Math.min(t1 - t0, END);
  t0 = Math.max(0, Math.min(t0, END - span));
  view.t0 = t0; view.t1 = t0 + span;
  redraw();
}
/** @param {number} factor @param {number} [center] */
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
/** @param {MouseEvent} ev @param {string[]} lines */
function showTip(ev, lines) {
  tip.textContent = lines.join('\n');
  tip.style.display = 'block';
  var x = ev.clientX + 14, y = ev.clientY + 14;
  if (x + 420 > window.innerWidth) x = Math.max(4, ev.clientX - 430);
  tip.style.left = x + 'px'; tip.style.top = y + 'px';
}
function hideTip() { tip.style.display = 'none'; }
/** @param {number} c */
function callLines(c) {
  var lines = ['process ' + C.process[c] + ': ' + describe(c), OUT[C.type[c]] + ', ' + fmtT(C.start[c]) + (C.end[c] >= 0 ? ' .. ' + fmtT(C.end[c]) + ' (' + fmtMs(C.end[c] - C.start[c]) + ')' : ', no completion')];
  if (C.node[c] >= 0) lines.push('node ' + str(C.node[c]));
  if (C.error[c] >= 0) lines.push('error: ' + str(C.error[c]));
  lines.push('history ops #' + C.inv[c] + (C.cmp[c] >= 0 ? ', #' + C.cmp[c] : ''));
  return lines;
}
/** @param {Hit} hit @returns {string[]} */
function hitLines(hit) {
  if (hit.call !== undefined) return callLines(hit.call);
  if (hit.fault) return [hit.fault.label || hit.fault.kind, fmtT(hit.fault.start) + ' .. ' + (hit.fault.end === null ? 'end of run' : fmtT(hit.fault.end)), 'nemesis ops #' + hit.fault.ops.join(', #')];
  if (hit.role) return [hit.role.node + ': ' + hit.role.role + (hit.role.term ? ' (term ' + hit.role.term + ')' : ''), fmtT(hit.role.start) + ' .. ' + fmtT(hit.role.end)];
  return [];
}

/** @param {HTMLCanvasElement} canvas @param {(x: number, y: number) => Hit | null} hitTest */
function attachInteractions(canvas, hitTest) {
  var box = el('div', { cls: 'selbox' });
  /** @type {HTMLElement} the chart's wrapper (page.ts) */ (canvas.parentElement).appendChild(box);
  /** @type {{ x: number, moved: boolean } | null} */
  var drag = null;
  /** @param {MouseEvent} ev */
  function localX(ev) { return ev.clientX - canvas.getBoundingClientRect().left; }
  /** @param {MouseEvent} ev */
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
