// @ts-check
/** The perf checker's tables (latency quantiles, availability) and the list of faults (a click zooms
 * the charts to one). */
(function () {
  var root = $('perf');
  var perf = D.results.filter(function (r) { return r.checker === 'perf' && r.details; })[0];
  if (!perf) { root.appendChild(el('p', { cls: 'muted', text: 'The campaign has no perf checker; latency quantiles and availability are not computed.' })); return; }
  /** @type {{latencyMs?: Record<string, import('../../../checkers/perf/index.js').LatencyStats>, availability?: Record<'overall' | 'insideFaults' | 'outsideFaults', import('../../../checkers/perf/index.js').Availability | undefined>}} */
  var details = perf.details || {};
  var lat = details.latencyMs || {};
  var t = el('table');
  var cols = ['ok', 'fail', 'info', 'pending', 'p50', 'p95', 'p99', 'max'];
  var head = el('tr', null, el('th', { text: 'op' }));
  t.appendChild(head);
  cols.forEach(function (c) { head.appendChild(el('th', { cls: 'num', text: c + (c[0] === 'p' || c === 'max' ? ' ms' : '') })); });
  Object.keys(lat).forEach(function (f) {
    var tr = el('tr', null, el('td', { text: f }));
    cols.forEach(function (c) { var v = lat[f][/** @type {keyof import('../../../checkers/perf/index.js').LatencyStats} */ (c)]; tr.appendChild(el('td', { cls: 'num', text: v === null || v === undefined ? '–' : String(v) })); });
    t.appendChild(tr);
  });
  root.appendChild(t);
  var av = details.availability;
  if (av) {
    var at = el('table');
    at.appendChild(el('tr', null, el('th', { text: 'availability' }), el('th', { cls: 'num', text: 'ok' }), el('th', { cls: 'num', text: 'completed' }), el('th', { cls: 'num', text: 'share ok' })));
    /** @type {[string, import('../../../checkers/perf/index.js').Availability | undefined][]} */
    var rows = [['whole run', av.overall], ['inside fault windows', av.insideFaults], ['outside fault windows', av.outsideFaults]];
    rows.forEach(function (row) {
      var a = row[1] || { ok: 0, completed: 0, share: null };
      at.appendChild(el('tr', null, el('td', { text: row[0] }), el('td', { cls: 'num', text: String(a.ok) }), el('td', { cls: 'num', text: String(a.completed) }),
        el('td', { cls: 'num', text: a.share === null || a.share === undefined ? 'n/a' : (a.share * 100).toFixed(1) + '%' })));
    });
    root.appendChild(at);
  }
})();

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
