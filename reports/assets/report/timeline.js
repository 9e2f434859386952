// @ts-check
/** The timeline: node roles, the nemesis lane and one lane per client process (scrolled), each call a
 * bar coloured by outcome; what a point of it is (for the tooltip and clicks). */
var ROW = 16, AXIS = 22;
var tl = { canvas: canvas$('timeline'), scroll: $('timeline-scroll'), spacer: $('timeline-spacer') };
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
    ctx.fillStyle = faultBar(f.kind);
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

/** What is at (x, y) on the timeline. @param {number} x @param {number} y @returns {Hit | null} */
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
