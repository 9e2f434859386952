// @ts-check
/** The anomalies, grouped by kind with what each kind means; a click highlights the anomaly's ops. */
// What each kind of anomaly means, in one sentence; the checker's explanation says what happened.
/** @type {Record<string, string>} */
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

var SHOW_FIRST = 5;
/** One anomaly's list item. @param {CheckResult} r its checker's result @param {Anomaly} a @param {number} j its place in r.anomalies @returns {HTMLElement} */
function anomalyItem(r, a, j) {
  var ops = Array.isArray(a.ops) ? a.ops.filter(function (/** @type {unknown} */ x) { return typeof x === 'number'; }) : [];
  // a composed checker (composeCheckers) names the part that found it, as the terminal does
  var part = a.part !== undefined ? String(a.part) : null;
  /** @type {Record<string, string>} */
  var attrs = { cls: 'anomaly', tabindex: '0', 'data-checker': r.checker, 'data-kind': String(a.kind), 'data-ops': ops.join(',') };
  if (part !== null) attrs['data-part'] = part;
  var li = el('li', attrs,
    el('span', { cls: 'kind', text: String(a.kind) }),
    part !== null ? el('span', { cls: 'part muted', text: 'found by ' + part + ' ' }) : null,
    a.key !== undefined ? el('span', { cls: 'muted', text: 'key ' + String(a.key) + ' ' }) : null,
    Object.prototype.hasOwnProperty.call(KINDS, a.kind) ? el('div', { cls: 'meaning', text: KINDS[a.kind] }) : null,
    el('div', { cls: 'explanation', text: String(a.explanation) }),
    el('div', { cls: 'ops', text: ops.length ? 'ops #' + ops.join(', #') + ' — click to show them on the timeline' : 'no ops' }));
  function activate() {
    Array.prototype.forEach.call(document.querySelectorAll('.anomaly.active'), function (x) { x.classList.remove('active'); });
    li.classList.add('active');
    if (ops.length) showCalls(ops, r.checker + (part !== null ? '/' + part : '') + ' ' + a.kind + ' #' + (j + 1));
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
    /** @type {Record<string, number>} */
    var truncated = /** @type {Record<string, number> | undefined} */ (r.details && r.details.truncated) || {};
    if (list.length === 0) return;
    root.appendChild(el('h3', null, r.checker + ' ', el('span', { cls: 'muted', text: '(' + list.length + ' shown)' })));
    // one list per kind; long lists show their first few, the rest one click away
    /** @type {string[]} */
    var kinds = [];
    /** @type {Record<string, [Anomaly, number][]>} */
    var byKind = {};
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
