/* The progress bar of a large upload's background job (templates/govcatalog/bulk/snippets/
 * job_progress.html): polls the upload's status endpoint, moves the bars (rows checked, entries
 * written) without a reload, and when the job has ended fetches the page again and puts its
 * report in place of the progress. Without this script the page says to reload it. */
(function () {
  'use strict';

  var box = document.getElementById('bulk-job');
  if (!box || !window.fetch) { return; }
  var POLL_MS = 1000;
  var WAITING_HINT_MS = 30000;
  var started = Date.now();

  function format(template, done, total) {
    return template.replace('{done}', done.toLocaleString()).replace('{total}', total.toLocaleString());
  }

  function bar(name, done, total, pendingText) {
    var el = document.getElementById('bulk-job-' + name);
    var label = document.getElementById('bulk-job-' + name + '-text');
    if (!el) { return; }
    var pct = total ? Math.min(100, Math.round(100 * done / total)) : 0;
    el.setAttribute('aria-valuenow', String(done));
    el.setAttribute('aria-valuemax', String(total));
    el.querySelector('.progress-bar').style.width = pct + '%';
    if (label) {
      label.textContent = total || !pendingText ? format(box.dataset[name + 'Format'], done, total) : pendingText;
    }
  }

  function say(text) {
    var state = document.getElementById('bulk-job-state');
    if (state && state.textContent.trim() !== text) { state.textContent = text; }
  }

  function showReport() {
    say(box.dataset.textFinished);
    fetch(window.location.href, {credentials: 'same-origin'})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('bulk-report');
        var current = document.getElementById('bulk-report');
        if (!fresh || !current) { window.location.reload(); return; }
        current.replaceWith(fresh);
        // what the confirmation flashed ("queued") is over: the report says how it ended
        document.querySelectorAll('.flash-messages .alert').forEach(function (alert) { alert.remove(); });
        fresh.style.outline = 'none';  // (focused for screen readers, not to be framed)
        fresh.focus();  // screen readers announce the report that replaced the progress
      })
      .catch(function () { window.location.reload(); });
  }

  function show(status) {
    box.dataset.state = status.state;
    bar('checked', status.checked, status.rows);
    bar('written', status.written, status.to_write, box.dataset.writtenPending);
    if (status.state === 'queued') {
      say(box.dataset.textQueued);
      document.getElementById('bulk-job-waiting').hidden = Date.now() - started < WAITING_HINT_MS;
    } else {
      document.getElementById('bulk-job-waiting').hidden = true;
      if (status.state === 'running') {
        say(status.job === 'write' ? box.dataset.textWrite : box.dataset.textCheck);
      }
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) { showReport(); } else { window.setTimeout(poll, POLL_MS); }
      })
      .catch(function () {
        say(box.dataset.textLost);
        window.setTimeout(poll, 3 * POLL_MS);
      });
  }

  window.setTimeout(poll, POLL_MS);
}());
