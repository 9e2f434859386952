// @ts-check
/** The page data (#report-data), the constants every drawing shares, the view state, small helpers
 * (DOM elements, time and duration formats, an op in words) and the calls indexed by history op and lane.
 * Every value that came from a system or a history is put on the page with textContent or drawn on a
 * canvas, never as HTML. */
var started = performance.now();
/** @typedef {import('../../data.js').ReportData} ReportData */
/** @typedef {import('../../data.js').ReportFault} ReportFault */
/** @typedef {import('../../data.js').RoleSpan} RoleSpan */
/** @typedef {ReportData['markers'][number]} Marker */
/** @typedef {import('../../../core/result.js').CheckResult} CheckResult */
/** @typedef {import('../../../core/result.js').Anomaly} Anomaly */
/** @typedef {import('../../../checkers/linearizability/witness.js').PartitionWitness} Witness */
/** @typedef {import('../../../checkers/linearizability/witness.js').WitnessOp} WitnessOp */
/** What is under the pointer on a chart: a call, a fault bar or a node's role span.
 * @typedef {{ call?: number, fault?: ReportFault, role?: RoleSpan }} Hit */
/** @type {ReportData} */
var D = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}');
var C = D.calls;
var S = D.strings;
var N = C.start.length;
var OUT = ['ok', 'fail', 'info', 'pending'];
var OUT_COLOR = ['#2f9e44', '#e03131', '#f08c00', '#868e96'];
var PALETTE = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#0ca678', '#f59f00', '#d6336c', '#495057', '#3b5bdb', '#74b816'];
/** How each kind of fault is drawn: its fault module's colours (harness/faults/*.ts); other kinds grey. */
var FAULT_STYLE = D.faultStyles || {};
/** @param {string} kind */
function faultFill(kind) { var s = FAULT_STYLE[kind]; return s ? s.fill : 'rgba(134,142,150,0.12)'; }
/** @param {string} kind */
function faultBar(kind) { var s = FAULT_STYLE[kind]; return s ? s.bar : '#ced4da'; }
/** @type {Record<string, string>} */
var ROLE_COLOR = { leader: '#1c7ed6', follower: '#d0ebff', candidate: '#ffd43b', down: '#495057' };
var END = Math.max(D.endTime, 1);
var LEFT = 130;
var RIGHT = 14;

var view = { t0: 0, t1: END };
/** @type {Uint8Array | null} over calls: 1 where highlighted */
var highlight = null;
/** @type {Set<number> | null} the highlighted history indexes */
var highlightIndexes = null;
var selected = -1;
/** @type {Record<string, boolean>} op type (a string index) -> hidden in the latency chart */
var hiddenF = {};

/** An element of the page (report/page.ts makes every one the script uses). @param {string} id @returns {HTMLElement} */
function $(id) {
  var e = document.getElementById(id);
  if (!e) throw new Error('faultline report: the page has no #' + id);
  return e;
}
/** A canvas of the page. @param {string} id @returns {HTMLCanvasElement} */
function canvas$(id) { return /** @type {HTMLCanvasElement} */ ($(id)); }
/**
 * A new element: `attrs` text (textContent, never HTML), cls, style or attributes; then children.
 * @param {string} tag
 * @param {Record<string, string> | null} [attrs]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElement}
 */
function el(tag, attrs, ...children) {
  var e = document.createElement(tag);
  if (attrs) for (var k in attrs) {
    if (k === 'text') e.textContent = attrs[k];
    else if (k === 'cls') e.className = attrs[k];
    else if (k === 'style') e.style.cssText = attrs[k];
    else e.setAttribute(k, attrs[k]);
  }
  for (var i = 0; i < children.length; i++) {
    var c = children[i];
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}
/** A string of the page's table (-1: none). @param {number} i @returns {string} */
function str(i) { return i >= 0 ? S[i] : ''; }
/** µs since the run started, as seconds. @param {number} us */
function fmtT(us) { return (us / 1e6).toFixed(us < 1e7 ? 3 : 2) + 's'; }
/** A duration in µs, in ms or s. @param {number} us */
function fmtMs(us) { var ms = us / 1000; return ms < 10 ? ms.toFixed(2) + ' ms' : ms < 1000 ? ms.toFixed(1) + ' ms' : (ms / 1000).toFixed(2) + ' s'; }
/** When call i ended (the run's end while pending). @param {number} i */
function endOf(i) { return C.end[i] < 0 ? END : C.end[i]; }
/** Call i in words: `write k1 5 -> ok`. @param {number} i */
function describe(i) {
  var s = str(C.f[i]);
  if (C.key[i] >= 0) s += ' ' + str(C.key[i]);
  if (C.input[i] !== null) s += ' ' + C.input[i];
  if (C.output[i] !== null) s += ' -> ' + C.output[i];
  return s;
}
/** @type {Record<string, string>} op type (a string index) -> its colour */
var fColor = {};
(function () {
  /** @type {number[]} */
  var seen = [];
  for (var i = 0; i < N; i++) if (seen.indexOf(C.f[i]) < 0) seen.push(C.f[i]);
  seen.sort(function (a, b) { return str(a) < str(b) ? -1 : 1; });
  seen.forEach(function (f, j) { fColor[f] = PALETTE[j % PALETTE.length]; });
})();

// history index -> call, and calls per lane (in invoke order, which is start order)
/** @type {Map<number, number>} */
var callOf = new Map();
var laneCount = D.lanes.length;
/** @type {number[][]} */
var laneCalls = [];
for (var l = 0; l < laneCount; l++) laneCalls.push([]);
for (var i = 0; i < N; i++) {
  callOf.set(C.inv[i], i);
  if (C.cmp[i] >= 0) callOf.set(C.cmp[i], i);
  laneCalls[C.lane[i]].push(i);
}
var laneArr = laneCalls.map(function (a) { return Int32Array.from(a); });
/** @type {Map<number, Marker>} */
var markerOf = new Map();
(D.markers || []).forEach(function (m) { markerOf.set(m.index, m); });
/** @type {Marker[]} */
var shownMarkers = [];
