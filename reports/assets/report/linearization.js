// @ts-check
/** The linearizability witnesses: porcupine's partial linearizations of each failing key, drawn as
 * the ops in real time with the longest order that explains them. */
(function () {
  var root = $('witnesses');
  var any = false;
  D.results.forEach(function (r) {
    /** @type {Witness[]} */
    var ws = r.details && Array.isArray(r.details.witness) ? r.details.witness : [];
    ws.forEach(function (w, wi) {
      any = true;
      var box = el('div', { cls: 'witness' });
      box.appendChild(el('h3', { text: (w.key !== undefined ? 'key ' + w.key + ': ' : '') + 'not linearizable' }));
      box.appendChild(el('p', { text: String(w.explanation || '') }));
      var prefix = Array.isArray(w.longestPrefix) ? w.longestPrefix : [];
      var omitted = /** @type {Witness & { prefixOmitted?: number }} */ (w).prefixOmitted || 0;
      var tail = prefix.slice(-8);
      /** @type {Involved[]} */
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
        var btnMore = el('button', { type: 'button', text: 'show the ' + (prefix.length - SHOWN) + ' earlier ops of the prefix' });
        var more = el('tr', { cls: 'more-rows' }, el('td', { colspan: '5' }, btnMore));
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
        /** @type {number[]} */
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
/** An op in a witness and where it drew (cls: prefix, stuck or concurrent).
 * @typedef {{ op: WitnessOp, cls: string, order?: number, state?: string }} Involved */
/** @param {WitnessOp} o */
function opsText(o) { return '#' + o.invokeIndex + (o.completeIndex !== undefined ? ', #' + o.completeIndex : ''); }
/** @param {Involved[]} items @returns {HTMLElement} */
function drawLinearization(items) {
  var times = items.map(function (v) {
    var c = callOf.get(v.op.invokeIndex);
    return c === undefined ? null : { s: C.start[c], e: endOf(c), c: c };
  });
  var t0 = Infinity, t1 = -Infinity;
  times.forEach(function (t) { if (t) { t0 = Math.min(t0, t.s); t1 = Math.max(t1, t.e); } });
  if (!isFinite(t0)) { t0 = 0; t1 = 1; }
  var span = Math.max(1, t1 - t0);
  /** @type {number[]} */
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
      var pick = function () { showCalls([v.op.invokeIndex].concat(v.op.completeIndex !== undefined ? [v.op.completeIndex] : []), v.op.description); selectCall(/** @type {{ c: number }} */ (t).c); };
      bar.addEventListener('click', pick); text.addEventListener('click', pick);
    }
    track.appendChild(bar);
    track.appendChild(text);
  });
  box.appendChild(el('div', { cls: 'row-label', style: 'bottom:3px;left:78px', text: fmtT(t0) + ' … ' + fmtT(t1) + ' (' + fmtMs(span) + ', real time left to right)' }));
  return box;
}
