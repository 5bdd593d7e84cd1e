// The compose page, enhanced: a live preview per channel and length counters (the server
// renders both with the channels' own code: POST /admin/api/compose/preview), autosave of the
// draft every few seconds and when the page is left, and "Post" becoming "Schedule" when a
// publish time is set. Without this script the form still does all of it on submit.
/* global document, window, history */
(function () {
  'use strict';
  var form = document.getElementById('compose');
  if (!form) return;
  var csrf = form.querySelector('input[name="_csrf"]').value;
  var draftInput = form.querySelector('input[name="draft"]');
  var status = document.getElementById('save-status');
  var postButton = document.getElementById('post-button');
  var publishAt = form.querySelector('input[name="publishAt"]');
  var dirty = false;
  var submitting = false;
  var previewTimer = null;
  var SAVE_EVERY_MS = 5000;

  function body() {
    var data = new URLSearchParams(new FormData(form));
    data.delete('action');
    return data;
  }

  function post(path, data) {
    return fetch(path, {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: data,
      credentials: 'same-origin',
    }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }

  function replaceHtml(id, markup) {
    var old = document.getElementById(id);
    if (!old) return;
    var tpl = document.createElement('template');
    tpl.innerHTML = markup; // server-rendered and escaped by the dashboard's html helper
    old.replaceWith(tpl.content.firstElementChild);
  }

  function refreshPreview() {
    post('/admin/api/compose/preview', body())
      .then(function (r) {
        replaceHtml('counters', r.html.counters);
        // Keep the channel the person had open.
        var open = Array.prototype.map.call(document.querySelectorAll('#previews details[open]'), function (d) { return d.dataset.channel; });
        replaceHtml('previews', r.html.previews);
        if (open.length) {
          document.querySelectorAll('#previews details').forEach(function (d) { d.open = open.indexOf(d.dataset.channel) >= 0; });
        }
      })
      .catch(function () { /* the preview is a convenience; the form still works */ });
  }

  function save() {
    if (!dirty || submitting) return;
    dirty = false;
    post('/admin/api/compose/autosave', body())
      .then(function (r) {
        if (!draftInput.value) {
          draftInput.value = r.id;
          var here = '/admin/compose?draft=' + encodeURIComponent(r.id);
          history.replaceState(null, '', here);
          // The language switch comes back to this draft, not to an empty form.
          var back = document.querySelector('form[action="/admin/language"] input[name="back"]');
          if (back) back.value = here;
        }
        status.textContent = r.saved;
      })
      .catch(function () {
        dirty = true;
        status.textContent = status.dataset.offline;
      });
  }

  function saveOnLeave() {
    if (!dirty || submitting) return;
    var data = body();
    data.set('_csrf', csrf);
    // sendBeacon survives the page closing; the body carries the CSRF token.
    navigator.sendBeacon('/admin/api/compose/autosave', data);
    dirty = false;
  }

  function syncPostLabel() {
    if (postButton && publishAt) postButton.textContent = publishAt.value ? postButton.dataset.later : postButton.dataset.now;
  }

  form.addEventListener('input', function () {
    dirty = true;
    syncPostLabel();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  });
  form.addEventListener('change', function () {
    dirty = true;
    syncPostLabel();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 100);
  });
  form.addEventListener('submit', function () { submitting = true; });
  setInterval(save, SAVE_EVERY_MS);
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') saveOnLeave(); });
  window.addEventListener('pagehide', saveOnLeave);
  syncPostLabel();
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
})();
