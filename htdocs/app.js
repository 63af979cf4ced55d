// StreamPulse dashboard: relative times ("3 h 12 min", "5 s ago") from the absolute ones the
// server sends, and a refresh every heartbeat without a reload: the page is fetched again
// (a 304 when nothing changed: the browser revalidates its ETag) and its streams part swapped
// in. That part comes from our own server, escaped there as on the first load; nothing here
// turns names or messages into markup.
(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live) return;
  var summary = document.getElementById('summary');
  var every = Math.max(2, parseInt(summary && summary.getAttribute('data-refresh'), 10) || 15) * 1000;
  var etag = null;

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor(s % 86400 / 3600) + ' h';
  }

  // <time class="for|ago" data-ms="UTC ms">: the server wrote the local time; show the span.
  function relabel() {
    var now = Date.now(), times = live.querySelectorAll('time[data-ms]');
    for (var i = 0; i < times.length; i++) {
      var t = times[i], ms = parseInt(t.getAttribute('data-ms'), 10);
      if (isNaN(ms)) continue;
      t.textContent = duration(now - ms) + (t.className === 'ago' ? ' ago' : '');
    }
  }

  function swap(html) {
    var next = new DOMParser().parseFromString(html, 'text/html').getElementById('live');
    if (!next) { window.location.reload(); return; } // e.g. the session ended: the login page
    next = document.adoptNode(next);
    live.parentNode.replaceChild(next, live);
    live = next;
  }

  function refresh() {
    if (!window.fetch || !window.DOMParser) return;
    fetch(window.location.pathname + window.location.search, { credentials: 'same-origin', cache: 'no-cache' })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        var tag = r.headers.get('ETag');
        if (tag && tag === etag) return null;
        etag = tag;
        return r.text();
      })
      .then(function (html) { if (html !== null) swap(html); })
      .catch(function () { /* keep the last good view; the next tick tries again */ })
      .then(function () { relabel(); setTimeout(refresh, every); });
  }
  relabel();
  setInterval(relabel, 1000);
  setTimeout(refresh, every);
})();
