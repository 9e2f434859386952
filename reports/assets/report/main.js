// @ts-check
/** The replay command's copy button, the first drawing, and the marks the tests wait for. */
document.getElementById('copy-replay')?.addEventListener('click', function () {
  var text = $('replay-command').textContent ?? '';
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
});

drawAll();
window.__reportRenderMs = performance.now() - started;
document.body.dataset.ready = '1';
