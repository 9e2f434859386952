// @ts-check
/** A call selected (its details table), the ops of an anomaly highlighted on every chart. */
/** @param {number} c */
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
/** @param {number[]} indexes history indexes @param {string} label */
function showCalls(indexes, label) {
  var mark = new Uint8Array(N), any = false, t0 = Infinity, t1 = -Infinity, firstLane = Infinity;
  /** @type {number[]} history indexes of no call: nemesis ops and markers */
  var nem = [];
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
