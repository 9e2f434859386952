// @ts-check
/** The latency chart's legend: one checkbox per op type shows or hides its points. */
(function () {
  var lg = $('latency-legend');
  Object.keys(fColor).forEach(function (f) {
    var box = /** @type {HTMLInputElement} */ (el('input', { type: 'checkbox' }));
    box.checked = true;
    box.addEventListener('change', function () { hiddenF[f] = !box.checked; redraw(); });
    lg.appendChild(el('label', null, box, el('span', { cls: 'swatch', style: 'background:' + fColor[f] }), str(Number(f))));
  });
  lg.appendChild(el('span', { text: '■ ok   ✕ fail   □ info (timed out)' }));
})();
